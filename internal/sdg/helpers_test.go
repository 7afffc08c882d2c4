package sdg

import (
	"errors"
	"fmt"
)

var errPlain = errors.New("disk on fire")

func fmtWrap(err error) error { return fmt.Errorf("load: %w", err) }
