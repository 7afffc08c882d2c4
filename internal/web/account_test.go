package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
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

// mustLogin signs in and fails the test unless it worked.
func (b *client) mustLogin(name string) {
	b.t.Helper()
	if r := b.login(name, testPassword); r.StatusCode != http.StatusSeeOther {
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
