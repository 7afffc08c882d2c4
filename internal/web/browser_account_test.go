package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSignIn signs in and out in real Chromium: the private page
// sends the visitor to the form and back, the layout names the account,
// signing out ends the session, and nothing logs an error. Chromium sends
// Sec-Fetch-Site, so this also covers Echo's header-based CSRF check.
func TestBrowserSignIn(t *testing.T) {
	browser := newBrowser(t)
	_, srv := newAccountServer(t, nil)
	ctx, l := openPage(t, browser, srv.URL+"/test/private", 1280, 720)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	location := func(step string) string {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatalf("%s: location: %v", step, err)
		}
		return loc
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`input[name=name]`)); err != nil {
		t.Fatalf("sign-in form: %v", err)
	}
	if loc := location("form"); !strings.HasSuffix(loc, "/login?next=%2Ftest%2Fprivate") {
		t.Fatalf("private page sent the visitor to %s", loc)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(`input[name=name]`, testAnalyst),
		chromedp.SendKeys(`input[name=password]`, testPassword),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`nav.account`),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	header, err := chromedp.Run(ctx, chromedp.Text(`header.site`))
	if err != nil {
		t.Fatal(err)
	}
	if loc := location("signed in"); !strings.HasSuffix(loc, "/test/private") || !strings.Contains(header, testAnalyst) || !strings.Contains(header, "Sign out") {
		t.Fatalf("after sign-in at %s, header %q", loc, header)
	}
	if strings.Contains(header, "Accounts") {
		t.Error("an analyst sees the admin links")
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`nav.account button[type=submit]`),
		chromedp.WaitVisible(`p.account a[href="/login"]`),
		chromedp.Navigate(srv.URL+"/test/private"),
		chromedp.WaitVisible(`input[name=name]`),
	); err != nil {
		t.Fatalf("sign out: %v", err)
	}
	if loc := location("signed out"); !strings.Contains(loc, "/login?next=") {
		t.Errorf("after sign-out the private page is at %s", loc)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.problems {
		t.Error(p)
	}
}
