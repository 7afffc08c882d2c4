package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/derive"
	"github.com/migtrack/migtrack/internal/ingest"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// realData returns the path of a file of ../shared/data/real, skipping the
// test when the folder is absent.
func realData(t testing.TB, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"..", "..", "..", "shared", "data", "real"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data file %s not available: %v", p, err)
	}
	return p
}

// importFile reads a real file through ingest into one import of db and
// applies it, as the command line's import does.
func importFile(t testing.TB, db *store.DB, cat *catalog.Catalog, path string) sdg.Import {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginImport(ctx, sdg.Import{FileName: filepath.Base(path), User: "test", At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	res, err := ingest.Read(ctx, path, cat, ingest.Options{}, tx, nil)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	imp, err := tx.Apply(ctx, res.Problems)
	if err != nil {
		t.Fatalf("apply %s: %v", path, err)
	}
	return imp
}

// derivedFixture is a store that computes derived series as it imports,
// holding real custodian data: the UNHCR Refugee Data Finder export
// (refugees by origin, 2015–2020), UN DESA's 2017 population table and
// IOM's Missing Migrants incident records, then one published 10.7.4
// value (Syria 2018, as the SDG Global Database would give it), with a
// server computing derived series with the same engine.
type derivedFixture struct {
	srv                      *Server
	db                       *store.DB
	unhcr, pop, iom, publish sdg.Import
}

func newDerivedFixture(t testing.TB) *derivedFixture {
	t.Helper()
	ctx := context.Background()
	cat := loadCatalog(t)
	engine := derive.New(cat.Derivations(), cat.Series(), cat.Areas())
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "migtrack.db"), store.WithDeriver(engine))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &derivedFixture{db: db}
	f.unhcr = importFile(t, db, cat, realData(t, "unhcr", "population__audreydkim-unhrc_data_expo.csv"))
	f.pop = importFile(t, db, cat, realData(t, "undesa_ims", "UN_MigrantStockTotal_2017.xlsx"))
	f.iom = importFile(t, db, cat, realData(t, "iom_mmp", "MissingMigrants-Global-2020-01-08T14-05-32.csv"))
	published := []sdg.Observation{{Key: sdg.Key{Series: "SM_POP_REFG_OR", Area: "760", Period: "2018"}, Value: 36421.5,
		Source: "UNHCR, SDG Global Database"}}
	importObservations(t, db, "sdg_global_10.7.4.csv", published)
	imps, err := db.Imports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range imps {
		if imp.FileName == "sdg_global_10.7.4.csv" {
			f.publish = imp
		}
	}
	f.srv, err = New(Config{Store: db, Catalog: cat, Deriver: engine, DownloadDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// reTag matches an HTML tag, to read a page's text.
var reTag = regexp.MustCompile(`<[^>]*>`)

// pageText is a page's text as a reader sees it: tags dropped, entities
// decoded, spaces collapsed.
func pageText(body string) string {
	return strings.Join(strings.Fields(html.UnescapeString(reTag.ReplaceAllString(body, " "))), " ")
}

// TestDerivedSeriesPage imports the real UNHCR export and UN DESA's
// population, and one published 10.7.4 value, and checks that the 10.7.4
// indicator page and the series page say how the series is computed and
// from what (the inputs' own sources), link the inputs' pages, and show
// next to the published value the value migtrack computes from the
// inputs, with a footnote naming the inputs' values and imports; the
// value is checked against a hand computation from the stored inputs.
func TestDerivedSeriesPage(t *testing.T) {
	f := newDerivedFixture(t)
	ctx := context.Background()
	h := f.srv.Handler()
	popSource := ""
	pop, err := f.db.Observations(ctx, store.Filter{Series: []string{"MT_POP", "MT_REFUGEES_OR"}, Areas: []string{"760"}})
	if err != nil {
		t.Fatal(err)
	}
	var refugees2018, pop2017 float64
	afg, err := f.db.Observations(ctx, store.Filter{Series: []string{"SM_POP_REFG_OR"}, Areas: []string{"004"}})
	if err != nil {
		t.Fatal(err)
	}
	afg2018 := 0.0
	for _, o := range afg {
		if o.Period == "2018" && sdg.IsComputed(o) {
			afg2018 = o.Value
		}
	}
	if len(afg) != 6 || afg2018 == 0 {
		t.Errorf("the store holds %d computed values for Afghanistan (2018: %v), want 2015–2020", len(afg), afg2018)
	}
	for _, o := range pop {
		switch {
		case o.Series == "MT_POP" && o.Dims == "" && o.Period == "2017":
			pop2017, popSource = o.Value, o.Source
		case o.Series == "MT_REFUGEES_OR" && o.Period == "2018":
			refugees2018 = o.Value
		}
	}
	if refugees2018 == 0 || pop2017 == 0 || !strings.HasPrefix(popSource, "UN DESA") {
		t.Fatalf("Syria: refugees 2018 %v, population 2017 %v (%q)", refugees2018, pop2017, popSource)
	}
	// By hand: refugees ÷ (population in thousands × 1,000) × 100,000;
	// UN DESA's 2017 revision has no 2018, so its 2017 is the nearest year.
	want := refugees2018 / (pop2017 * 1000) * 100000
	text := "computed by migtrack from MT_REFUGEES_OR (UNHCR Refugee Data Finder) and MT_POP (" + popSource + ")"

	for _, path := range []string{"/indicators/10.7.4?area=760&area=004", "/series/SM_POP_REFG_OR?area=760&area=004"} {
		t.Run(path, func(t *testing.T) {
			rec := get(t, h, path)
			if rec.Code != 200 {
				t.Fatalf("%s: %d %s", path, rec.Code, rec.Body.String())
			}
			body := rec.Body.String()
			page := pageText(body)
			if !strings.Contains(page, text) || !strings.Contains(page, "MT_REFUGEES_OR ÷ MT_POP × 100,000") ||
				!strings.Contains(page, "nearest year with data up to 3 years away") {
				t.Errorf("no derivation text %q in the page:\n%s", text, shorten(page, 3000))
			}
			for _, in := range []string{`href="/series/MT_REFUGEES_OR"`, `href="/series/MT_POP"`} {
				if !strings.Contains(body, in) {
					t.Errorf("no link %s", in)
				}
			}
			row := tableText(t, body, "Values of SM_POP_REFG_OR")
			foot := fmt.Sprintf("MT_REFUGEES_OR 2018 = %s (import %d) ÷ MT_POP 2017 = ", sdg.GroupThousands(strconv.FormatFloat(refugees2018, 'f', -1, 64)), f.unhcr.ID)
			if !strings.Contains(row, foot) || !strings.Contains(row, fmt.Sprintf("thousand (import %d), the nearest year to 2018 × 100,000", f.pop.ID)) {
				t.Errorf("no footnote naming the inputs' imports %d and %d in the table: %s", f.unhcr.ID, f.pop.ID, shorten(row, 4000))
			}
			// Afghanistan has no published value: the store computed its
			// values on import, each footnote naming the inputs' imports.
			afg := fmt.Sprintf("Afghanistan | 2018 | %s | | computed by migtrack from its inputs (see the footnote) | MT_REFUGEES_OR 2018 = ", fmtNum(afg2018))
			if !strings.Contains(row, afg) {
				t.Errorf("no stored computed value for Afghanistan 2018 (%s) in the table: %s", fmtNum(afg2018), shorten(row, 4000))
			}
			if !strings.Contains(row, "2018 | 36,422 | | reported") || !strings.Contains(row, "UNHCR, SDG Global Database") ||
				!strings.Contains(row, "the published value above wins") {
				t.Errorf("the published value and the computed one are not side by side: %s", shorten(row, 4000))
			}
		})
	}

	// The page's JSON carries the same rows: the computed value is the
	// hand computation.
	rec := get(t, h, "/api/v1/indicators/10.7.4?area=760")
	var v struct {
		Derivation derivationView `json:"derivation"`
		Data       dataTable      `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if v.Derivation.Text != text || len(v.Derivation.Inputs) != 2 || v.Derivation.Inputs[1].Code != "MT_POP" {
		t.Errorf("derivation in JSON: %+v", v.Derivation)
	}
	found := false
	for _, r := range v.Data.Rows {
		if r.Period == "2018" && strings.HasPrefix(r.Source, sdg.ComputedBy) {
			found = true
			if math.Abs(r.Raw-want) > 1e-9*want {
				t.Errorf("Syria 2018 computed %v, by hand %v", r.Raw, want)
			}
		}
	}
	if !found {
		t.Errorf("no computed 2018 row for Syria: %+v", v.Data.Rows)
	}

	// An input's page is no derived series: no derivation block.
	if body := get(t, h, "/series/MT_REFUGEES_OR").Body.String(); strings.Contains(body, `class="derivation"`) {
		t.Error("the input's page says it is computed")
	}
	// The download of the page carries the computed row's source and
	// footnote, and the derivation in its notes.
	csv := get(t, h, "/download/indicators/10.7.4?area=760&format=csv").Body.String()
	if !strings.Contains(csv, text) || !strings.Contains(csv, fmt.Sprintf("(import %d)", f.pop.ID)) {
		t.Errorf("download lacks the derivation or the footnote:\n%s", shorten(csv, 3000))
	}
}

// tableText is the text of a page's table with the given caption start,
// its cells separated by " | ".
func tableText(t *testing.T, body, caption string) string {
	t.Helper()
	i := strings.Index(body, "<caption>"+caption)
	if i < 0 {
		t.Fatalf("no table %q on the page", caption)
	}
	end := strings.Index(body[i:], "</table>")
	return pageText(strings.NewReplacer("</td>", " | ", "</th>", " | ").Replace(body[i : i+end]))
}
