package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/auth"
	"github.com/migtrack/migtrack/internal/sdg"
)

// Test accounts and their password.
const (
	testAnalyst  = "ana"
	testAdmin    = "root"
	testPassword = "correct horse battery"
)

// newAccountServer wires a server on a fresh store with an analyst and an
// admin account, tuned by cfg (cheap hashing unless cfg says otherwise),
// and serves it over HTTP: cookies travel as in a browser.
func newAccountServer(t testing.TB, tune func(*Config)) (*Server, *httptest.Server) {
	t.Helper()
	db := openTestStore(t, fixture())
	cfg := Config{Store: db, Catalog: loadCatalog(t),
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Auth:   auth.Config{BcryptCost: bcrypt.MinCost}}
	if tune != nil {
		tune(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	cli := auth.Actor{Name: "test-setup"}
	for name, role := range map[string]sdg.Role{testAnalyst: sdg.RoleAnalyst, testAdmin: sdg.RoleAdmin} {
		if _, err := s.auth.AddUser(context.Background(), cli, name, role, testPassword); err != nil {
			t.Fatalf("add %s: %v", name, err)
		}
	}
	// A write and a read only analysts reach, standing in for the upload
	// pages.
	s.analyst.GET("/test/private", func(c echo.Context) error {
		return s.renderPrivate(c, http.StatusOK, pageView{Title: "Private", Template: "error",
			Body: errorView{Status: 200, Message: "private page"}})
	})
	s.analyst.POST("/test/write", func(c echo.Context) error { return c.String(http.StatusOK, "written") })
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv
}

// client is an HTTP client with a cookie jar that does not follow
// redirects, so tests see them.
type client struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newClient(t testing.TB, srv *httptest.Server) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: srv.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	body string
}

func (b *client) do(req *http.Request) response {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return response{resp, string(body)}
}

func (b *client) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *client) post(path string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf reads the CSRF token from a form on the page at path.
func (b *client) csrf(path string) string {
	b.t.Helper()
	r := b.get(path)
	m := csrfInput.FindStringSubmatch(r.body)
	if m == nil {
		b.t.Fatalf("GET %s (%d): no CSRF field in %.300s", path, r.StatusCode, r.body)
	}
	return m[1]
}

// login signs in through the form and returns the response.
func (b *client) login(name, password string) response {
	b.t.Helper()
	return b.post("/login", url.Values{"_csrf": {b.csrf("/login")}, "name": {name}, "password": {password}})
}

// mustLogin signs in with the test password and fails the test unless
// it worked.
func (b *client) mustLogin(name string) {
	b.t.Helper()
	b.mustLoginAs(name, testPassword)
}

// mustLoginAs signs in and fails the test unless it worked.
func (b *client) mustLoginAs(name, password string) {
	b.t.Helper()
	if r := b.login(name, password); r.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: status %d: %.300s", name, r.StatusCode, r.body)
	}
}

// cookie returns the browser's value of a cookie, "" if none.
func (b *client) cookie(name string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookie plants a cookie, as an attacker or a kept copy would.
func (b *client) setCookie(name, value string) {
	u, _ := url.Parse(b.base)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

func TestAnonymousIsTurnedAway(t *testing.T) {
	_, srv := newAccountServer(t, nil)
	b := newClient(t, srv)
	t.Run("GetRedirectsToLogin", func(t *testing.T) {
		r := b.get("/test/private?x=1")
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Ftest%2Fprivate%3Fx%3D1" {
			t.Fatalf("status %d, location %q", r.StatusCode, r.Header.Get("Location"))
		}
	})
	t.Run("PostIs401", func(t *testing.T) {
		// Even with a valid CSRF pair: no session, no write.
		tok := b.csrf("/login")
		r := b.post("/test/write", url.Values{"_csrf": {tok}})
		if r.StatusCode != http.StatusUnauthorized || strings.Contains(r.body, "written") {
			t.Fatalf("status %d: %.200s", r.StatusCode, r.body)
		}
		if !strings.Contains(r.body, `<a href="/login">Sign in</a> · `) {
			t.Error("the 401 page does not offer to sign in")
		}
	})
	t.Run("UnknownPathStays404", func(t *testing.T) {
		if r := b.get("/no/such/page"); r.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d", r.StatusCode)
		}
	})
}

func TestCSRF(t *testing.T) {
	_, srv := newAccountServer(t, nil)
	b := newClient(t, srv)
	b.mustLogin(testAnalyst)
	tok := b.csrf("/test/private")
	for name, form := range map[string]url.Values{
		"Missing": {},
		"Wrong":   {"_csrf": {tok + "x"}},
	} {
		t.Run(name, func(t *testing.T) {
			if r := b.post("/test/write", form); r.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d: %.200s", r.StatusCode, r.body)
			}
		})
	}
	t.Run("CrossSite", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/test/write", strings.NewReader("_csrf="+tok))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r := b.do(req); r.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", r.StatusCode)
		}
	})
	t.Run("Right", func(t *testing.T) {
		if r := b.post("/test/write", url.Values{"_csrf": {tok}}); r.StatusCode != http.StatusOK || r.body != "written" {
			t.Fatalf("status %d: %.200s", r.StatusCode, r.body)
		}
	})
	t.Run("Header", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/test/write", nil)
		req.Header.Set("X-CSRF-Token", tok)
		if r := b.do(req); r.StatusCode != http.StatusOK {
			t.Fatalf("status %d", r.StatusCode)
		}
	})
	t.Run("LoginNeedsToken", func(t *testing.T) {
		r := newClient(t, srv).post("/login", url.Values{"name": {testAnalyst}, "password": {testPassword}})
		if r.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", r.StatusCode)
		}
	})
}

func TestSessionIDChangesAtLogin(t *testing.T) {
	s, srv := newAccountServer(t, nil)
	b := newClient(t, srv)
	planted := "attacker-chosen-session-id-0000000000000000"
	b.setCookie(sessionCookie, planted)
	b.mustLogin(testAnalyst)
	first := b.cookie(sessionCookie)
	if first == "" || first == planted {
		t.Fatalf("session cookie after login = %q", first)
	}
	if len(first) != 43 {
		t.Errorf("session token %q is not 256 bits in base64url", first)
	}
	b.mustLogin(testAnalyst)
	second := b.cookie(sessionCookie)
	if second == first {
		t.Fatal("signing in again kept the session id")
	}
	// The first session ended when the browser signed in again.
	old := newClient(t, srv)
	old.setCookie(sessionCookie, first)
	if r := old.get("/test/private"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("old session still works: %d", r.StatusCode)
	}
	// The store keeps a hash, never the token.
	if _, err := s.cfg.Store.ValidSession(context.Background(), second, time.Now()); err == nil {
		t.Error("the store finds a session by the raw cookie token")
	}
}

func TestLogoutEndsSession(t *testing.T) {
	_, srv := newAccountServer(t, nil)
	b := newClient(t, srv)
	b.mustLogin(testAnalyst)
	tok := b.cookie(sessionCookie)
	r := b.get("/test/private")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, testAnalyst) {
		t.Fatalf("private page: %d, shows user: %v", r.StatusCode, strings.Contains(r.body, testAnalyst))
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("private page Cache-Control %q", cc)
	}
	if r := b.post("/logout", url.Values{"_csrf": {b.csrf("/test/private")}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d %.200s", r.StatusCode, r.body)
	}
	kept := newClient(t, srv)
	kept.setCookie(sessionCookie, tok)
	if r := kept.get("/test/private"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("kept cookie after logout: %d", r.StatusCode)
	}
}

func TestAnalystAndAdminGroups(t *testing.T) {
	s, srv := newAccountServer(t, nil)
	s.admin.GET("/test/admin", func(c echo.Context) error { return c.String(http.StatusOK, "admin only") })
	ana := newClient(t, srv)
	ana.mustLogin(testAnalyst)
	if r := ana.get("/test/admin"); r.StatusCode != http.StatusForbidden {
		t.Errorf("analyst on admin route: %d", r.StatusCode)
	}
	root := newClient(t, srv)
	root.mustLogin(testAdmin)
	if r := root.get("/test/admin"); r.StatusCode != http.StatusOK {
		t.Errorf("admin on admin route: %d", r.StatusCode)
	}
	if r := root.get("/test/private"); r.StatusCode != http.StatusOK {
		t.Errorf("admin on analyst route: %d", r.StatusCode)
	}
}

func TestPublicPagesStayAnonymous(t *testing.T) {
	_, srv := newAccountServer(t, nil)
	anon := newClient(t, srv)
	ana := newClient(t, srv)
	ana.mustLogin(testAnalyst)
	tok := ana.csrf("/test/private")
	for _, path := range []string{"/", "/targets/10.c", "/series/SI_RMT_COST", "/countries/276", "/coverage", "/api/v1/overview"} {
		t.Run(path, func(t *testing.T) {
			a, b := anon.get(path), ana.get(path)
			if a.StatusCode != http.StatusOK || b.StatusCode != http.StatusOK {
				t.Fatalf("status %d / %d", a.StatusCode, b.StatusCode)
			}
			if a.body != b.body {
				t.Fatal("a signed-in visitor gets other bytes than an anonymous one")
			}
			if strings.Contains(b.body, testAnalyst+" <span") || strings.Contains(b.body, tok) || strings.Contains(b.body, "Sign out") {
				t.Error("public page holds the account name, its CSRF token or a sign-out form")
			}
			if b.Header.Get("Set-Cookie") != "" || b.Header.Get("Cache-Control") != "public, no-cache" {
				t.Errorf("public page headers: Set-Cookie %q, Cache-Control %q", b.Header.Get("Set-Cookie"), b.Header.Get("Cache-Control"))
			}
			if !strings.HasPrefix(path, apiPrefix) && !strings.Contains(b.body, `<a href="/login">Sign in</a>`) {
				t.Error("public page lacks the static Sign in link")
			}
		})
	}
}

func TestLoginThrottled(t *testing.T) {
	_, srv := newAccountServer(t, func(c *Config) { c.Auth.AccountFailures = 3 })
	b := newClient(t, srv)
	for i := range 3 {
		if r := b.login(testAnalyst, "wrong password"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.StatusCode)
		}
	}
	r := b.login(testAnalyst, testPassword)
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th attempt (right password): %d", r.StatusCode)
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 15*60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if !strings.Contains(r.body, "Too many failed sign-ins") || b.cookie(sessionCookie) != "" {
		t.Fatalf("throttled answer signed in or did not say why: %.300s", r.body)
	}
	// Another account from the same address is not held up by ana's.
	if r := b.login(testAdmin, testPassword); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("other account: %d", r.StatusCode)
	}
}

func TestUnknownAccountLooksLikeWrongPassword(t *testing.T) {
	_, srv := newAccountServer(t, nil)
	b := newClient(t, srv)
	// The two names have the same length, so the bodies must be identical
	// once the typed name is masked.
	unknown := b.login("zzz", "wrong password")
	wrong := b.login("ana", "wrong password")
	if unknown.StatusCode != http.StatusUnauthorized || wrong.StatusCode != unknown.StatusCode {
		t.Fatalf("status unknown %d, wrong password %d", unknown.StatusCode, wrong.StatusCode)
	}
	mask := func(body, name string) string {
		return strings.ReplaceAll(body, `value="`+name+`"`, `value="NAME"`)
	}
	if mask(unknown.body, "zzz") != mask(wrong.body, "ana") {
		t.Fatal("unknown account and wrong password answer differently")
	}
	for _, h := range []string{"Retry-After", "Content-Type", "Cache-Control"} {
		if unknown.Header.Get(h) != wrong.Header.Get(h) {
			t.Errorf("header %s differs: %q vs %q", h, unknown.Header.Get(h), wrong.Header.Get(h))
		}
	}
	// The CSRF cookie is set again on each answer with a fresh expiry
	// time: compare what it holds, not when it expires.
	cookies := func(r response) string {
		var out []string
		for _, c := range r.Cookies() {
			out = append(out, fmt.Sprintf("%s=%s %v %v %v", c.Name, c.Value, c.HttpOnly, c.Secure, c.SameSite))
		}
		return strings.Join(out, "; ")
	}
	if cookies(unknown) != cookies(wrong) {
		t.Errorf("cookies differ: %q vs %q", cookies(unknown), cookies(wrong))
	}
}

func TestSessionExpires(t *testing.T) {
	clk := &testClock{t: time.Now()}
	_, srv := newAccountServer(t, func(c *Config) {
		c.Auth.Now, c.Auth.IdleTimeout, c.Auth.MaxAge = clk.now, 10*time.Minute, time.Hour
	})
	t.Run("Idle", func(t *testing.T) {
		b := newClient(t, srv)
		b.mustLogin(testAnalyst)
		clk.add(9 * time.Minute)
		if r := b.get("/test/private"); r.StatusCode != http.StatusOK {
			t.Fatalf("after 9 idle minutes: %d", r.StatusCode)
		}
		clk.add(9 * time.Minute) // the request above moved the idle expiry
		if r := b.get("/test/private"); r.StatusCode != http.StatusOK {
			t.Fatalf("9 minutes after the last request: %d", r.StatusCode)
		}
		clk.add(11 * time.Minute)
		if r := b.get("/test/private"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("after 11 idle minutes: %d", r.StatusCode)
		}
		if b.cookie(sessionCookie) != "" {
			t.Error("the dead session's cookie was not cleared")
		}
	})
	t.Run("Absolute", func(t *testing.T) {
		b := newClient(t, srv)
		b.mustLogin(testAnalyst)
		start := clk.now()
		for _, step := range []time.Duration{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4} { // to 59 minutes
			clk.add(step * time.Minute)
			if r := b.get("/test/private"); r.StatusCode != http.StatusOK {
				t.Fatalf("active session ended after %v", clk.now().Sub(start))
			}
		}
		clk.add(2 * time.Minute)
		if r := b.get("/test/private"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("session outlived its hour: %d", r.StatusCode)
		}
	})
}

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestCookies(t *testing.T) {
	for _, tc := range []struct {
		name        string
		trustProxy  bool
		proto       string
		wantSecure  bool
		forwardedIP string
		wantIP      string
	}{
		{"Direct", false, "", false, "", "127.0.0.1"},
		{"UntrustedHeader", false, "https", false, "203.0.113.9", "127.0.0.1"},
		{"TrustedProxyHTTPS", true, "https", true, "203.0.113.9", "203.0.113.9"},
		{"TrustedProxyHTTP", true, "http", false, "203.0.113.9", "203.0.113.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := newAccountServer(t, func(c *Config) { c.TrustProxy = tc.trustProxy })
			b := newClient(t, srv)
			form, _ := http.NewRequest(http.MethodGet, srv.URL+"/login", nil)
			if tc.proto != "" {
				form.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			fr := b.do(form)
			for _, c := range fr.Cookies() {
				if c.Name == csrfCookie && (c.Secure != tc.wantSecure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode) {
					t.Errorf("CSRF cookie %+v", c)
				}
			}
			m := csrfInput.FindStringSubmatch(fr.body)
			if m == nil {
				t.Fatal("no CSRF field on the sign-in form")
			}
			tok := m[1]
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login",
				strings.NewReader(url.Values{"_csrf": {tok}, "name": {testAnalyst}, "password": {testPassword}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			if tc.forwardedIP != "" {
				req.Header.Set("X-Forwarded-For", tc.forwardedIP)
			}
			r := b.do(req)
			var sc *http.Cookie
			for _, c := range r.Cookies() {
				if c.Name == sessionCookie {
					sc = c
				}
			}
			if r.StatusCode != http.StatusSeeOther || sc == nil {
				t.Fatalf("login: %d, cookie %v", r.StatusCode, sc)
			}
			if !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure != tc.wantSecure || sc.Path != "/" {
				t.Errorf("cookie %+v", sc)
			}
			log, _, err := s.cfg.Store.AuditLog(context.Background(), 1, 0)
			if err != nil || len(log) != 1 || log[0].Action != sdg.AuditLogin || log[0].IP != tc.wantIP {
				t.Errorf("audit of the sign-in: %+v %v (want address %s)", log, err, tc.wantIP)
			}
		})
	}
}

func TestLoginRedirectsOnlyLocally(t *testing.T) {
	_, srv := newAccountServer(t, nil)
	for next, want := range map[string]string{
		"/test/private?x=1":     "/test/private?x=1",
		"//evil.example/":       afterLogin,
		"https://evil.example/": afterLogin,
		"/\\evil.example":       afterLogin,
		"javascript:alert(1)":   afterLogin,
		"":                      afterLogin,
		"/series/SI_RMT_COST#x": "/series/SI_RMT_COST#x",
	} {
		b := newClient(t, srv)
		r := b.post("/login", url.Values{"_csrf": {b.csrf("/login")}, "name": {testAnalyst}, "password": {testPassword}, "next": {next}})
		if got := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || got != want {
			t.Errorf("next %q: %d to %q, want %q", next, r.StatusCode, got, want)
		}
	}
}

func TestUserManagement(t *testing.T) {
	s, srv := newAccountServer(t, nil)
	ctx := context.Background()
	root := newClient(t, srv)
	root.mustLogin(testAdmin)
	tok := root.csrf("/admin/users")

	t.Run("AnalystIsRefused", func(t *testing.T) {
		ana := newClient(t, srv)
		ana.mustLogin(testAnalyst)
		atok := ana.csrf("/test/private")
		if r := ana.get("/admin/users"); r.StatusCode != http.StatusForbidden {
			t.Errorf("GET /admin/users: %d", r.StatusCode)
		}
		if r := ana.get("/admin/audit"); r.StatusCode != http.StatusForbidden {
			t.Errorf("GET /admin/audit: %d", r.StatusCode)
		}
		r := ana.post("/admin/users", url.Values{"_csrf": {atok}, "name": {"mallory"}, "role": {"admin"}, "password": {testPassword}})
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("POST /admin/users: %d", r.StatusCode)
		}
		if r := ana.post("/admin/users/ana/role", url.Values{"_csrf": {atok}, "role": {"admin"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("promote self: %d", r.StatusCode)
		}
		if _, err := s.cfg.Store.UserByName(ctx, "mallory"); sdg.ErrorCode(err) != sdg.ENotFound {
			t.Errorf("an analyst created an account: %v", err)
		}
	})
	t.Run("AnonymousIsSentToLogin", func(t *testing.T) {
		if r := newClient(t, srv).get("/admin/users"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("GET /admin/users: %d", r.StatusCode)
		}
	})
	t.Run("Add", func(t *testing.T) {
		r := root.post("/admin/users", url.Values{"_csrf": {tok}, "name": {"bea"}, "role": {"analyst"}, "password": {"bea's first password"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/users?done=added&name=bea" {
			t.Fatalf("add: %d %q %.300s", r.StatusCode, r.Header.Get("Location"), r.body)
		}
		page := root.get("/admin/users?done=added&name=bea")
		if !strings.Contains(page.body, "Account bea added.") || !strings.Contains(page.body, `id="user-bea"`) {
			t.Errorf("list after add lacks bea")
		}
		bea := newClient(t, srv)
		if r := bea.login("bea", "bea's first password"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("new account cannot sign in: %d", r.StatusCode)
		}
	})
	t.Run("AddRefused", func(t *testing.T) {
		for name, form := range map[string]url.Values{
			"Taken":         {"name": {"BEA"}, "role": {"analyst"}, "password": {testPassword}},
			"ShortPassword": {"name": {"cid"}, "role": {"analyst"}, "password": {"short"}},
			"BadRole":       {"name": {"cid"}, "role": {"owner"}, "password": {testPassword}},
			"BadName":       {"name": {"<b>cid</b>"}, "role": {"analyst"}, "password": {testPassword}},
		} {
			form.Set("_csrf", tok)
			r := root.post("/admin/users", form)
			if r.StatusCode < 400 || r.StatusCode >= 500 || !strings.Contains(r.body, `class="alert"`) {
				t.Errorf("%s: %d %.200s", name, r.StatusCode, r.body)
			}
			if strings.Contains(r.body, "<b>cid") {
				t.Errorf("%s: the typed name is written as markup", name)
			}
		}
	})
	t.Run("DisableEndsSessions", func(t *testing.T) {
		bea := newClient(t, srv)
		bea.mustLoginAs("bea", "bea's first password")
		if r := root.post("/admin/users/bea/disable", url.Values{"_csrf": {tok}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d %.200s", r.StatusCode, r.body)
		}
		if r := bea.get("/test/private"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("disabled account's session still works: %d", r.StatusCode)
		}
		if r := newClient(t, srv).login("bea", "bea's first password"); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("disabled account signs in: %d", r.StatusCode)
		}
		if r := root.post("/admin/users/bea/enable", url.Values{"_csrf": {tok}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("enable: %d", r.StatusCode)
		}
	})
	t.Run("ResetPassword", func(t *testing.T) {
		if r := root.post("/admin/users/bea/password", url.Values{"_csrf": {tok}, "password": {"bea's second password"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d %.200s", r.StatusCode, r.body)
		}
		if r := newClient(t, srv).login("bea", "bea's first password"); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("old password still works: %d", r.StatusCode)
		}
		newClient(t, srv).mustLoginAs("bea", "bea's second password")
	})
	t.Run("RoleAndRemove", func(t *testing.T) {
		if r := root.post("/admin/users/bea/role", url.Values{"_csrf": {tok}, "role": {"admin"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("role: %d", r.StatusCode)
		}
		if u, _ := s.cfg.Store.UserByName(ctx, "bea"); u.Role != sdg.RoleAdmin {
			t.Fatalf("role is %s", u.Role)
		}
		if r := root.post("/admin/users/bea/remove", url.Values{"_csrf": {tok}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", r.StatusCode)
		}
		if r := root.post("/admin/users/bea/remove", url.Values{"_csrf": {tok}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("remove twice: %d", r.StatusCode)
		}
	})
	t.Run("LastAdminKept", func(t *testing.T) {
		r := root.post("/admin/users/"+testAdmin+"/role", url.Values{"_csrf": {tok}, "role": {"analyst"}})
		if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "last enabled admin") {
			t.Fatalf("demote the last admin: %d %.300s", r.StatusCode, r.body)
		}
	})
	t.Run("Audit", func(t *testing.T) {
		r := root.get("/admin/audit")
		if r.StatusCode != http.StatusOK || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("audit page: %d %q", r.StatusCode, r.Header.Get("Cache-Control"))
		}
		for _, want := range []string{"<code>user_add</code>", "<code>user_disable</code>", "<code>user_password</code>",
			"<code>user_remove</code>", "<code>login_failed</code>", "<code>login</code>", "127.0.0.1", "bea"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("audit page lacks %s", want)
			}
		}
	})
	t.Run("AuditPaged", func(t *testing.T) {
		for i := range 2 * auditPageSize {
			if err := s.cfg.Store.RecordAudit(ctx, sdg.AuditEntry{User: "filler", Action: sdg.AuditUpload, Object: "file-" + strconv.Itoa(i)}); err != nil {
				t.Fatal(err)
			}
		}
		first := root.get("/admin/audit")
		if !strings.Contains(first.body, "file-99") || strings.Contains(first.body, ">file-49<") || !strings.Contains(first.body, `href="/admin/audit?page=2"`) {
			t.Error("first page is not the newest 50 with a link to the next")
		}
		third := root.get("/admin/audit?page=3")
		if third.StatusCode != http.StatusOK || !strings.Contains(third.body, "<code>user_add</code>") || strings.Contains(third.body, `rel="next"`) {
			t.Errorf("last page: %d", third.StatusCode)
		}
		if r := root.get("/admin/audit?page=9"); r.StatusCode != http.StatusNotFound {
			t.Errorf("page past the end: %d", r.StatusCode)
		}
		if r := root.get("/admin/audit?page=x"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("bad page: %d", r.StatusCode)
		}
	})
}
