package sdg

import "time"

// AuditEntry is one recorded action: who did what to which object, when
// and from where.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	User   string    `json:"user"`   // account name, or the OS user for the command line
	Action string    `json:"action"` // one of the Audit… constants
	Object string    `json:"object"` // what it acted on: an account name, an import id, a file
	Detail string    `json:"detail"` // anything else worth keeping (role, counts, reason)
	IP     string    `json:"ip"`     // client address; "" for the command line
}

// Audited actions.
const (
	AuditLogin        = "login"
	AuditLoginFailed  = "login_failed"
	AuditLogout       = "logout"
	AuditUserAdd      = "user_add"
	AuditUserRole     = "user_role"
	AuditUserPassword = "user_password"
	AuditUserDisable  = "user_disable"
	AuditUserEnable   = "user_enable"
	AuditUserRemove   = "user_remove"
	AuditImport       = "import" // a command-line import: read and applied or rejected in one go
	AuditUpload       = "upload"
	AuditApply        = "apply"
	AuditDiscard      = "discard"
	AuditRollback     = "rollback"
)
