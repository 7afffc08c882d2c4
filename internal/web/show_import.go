package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// importView is one history row in full.
type importView struct {
	privateView
	Import   sdg.Import
	When     string
	Size     string
	Kept     bool // the file as uploaded can be downloaded
	Rows     []countsRow
	Total    countsRow
	Problems []sdg.Problem
	PPager   pager
	Changes  []changeRow
	CPager   pager
	Filter   changeFilter
}

// showImport serves GET /imports/{id}: counts, problems and changes
// (both paged), the file as uploaded, and Roll back for an applied one.
func (s *Server) showImport(c echo.Context) error {
	imp, err := s.importOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := importView{Import: imp, When: whenText(imp.At), Size: sizeText(imp.Size),
		Kept: imp.SHA256 != "" && s.cfg.Importer.Files().Has(imp.SHA256, imp.FileName)}
	v.Rows, v.Total = s.countsRows(imp)
	v.Problems, v.PPager = pagedProblems(c, imp.Problems)
	v.Filter = s.readChangeFilter(c, imp)
	v.Changes, v.CPager, err = s.pagedChanges(c, v.Filter, func(q store.ChangeQuery) ([]sdg.Change, error) {
		return s.cfg.Store.Changes(ctx, imp.ID, q)
	})
	if err != nil {
		return err
	}
	return s.renderPrivate(c, http.StatusOK, pageView{Title: "Import " + c.Param("id"), Template: "import", Body: &v})
}
