package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"
)

// showChanges serves /changes?from=A&to=B: the values and statuses that
// differ between the data after import A and after import B (by default
// the last two applied imports).
func (s *Server) showChanges(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	from, to, err := s.changeVintages(ctx, c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	return s.respond(c, func(ctx context.Context) (pageView, error) {
		v, err := s.buildChanges(ctx, m, from, to)
		if err != nil {
			return pageView{}, err
		}
		q := c.QueryParams()
		v.Downloads = downloadLinks("/changes", q)
		sq := url.Values{"table": {"status"}}
		for k, vs := range q {
			sq[k] = vs
		}
		v.StatusLinks = downloadLinks("/changes", sq)
		vs, err := s.vintages(ctx)
		if err != nil {
			return pageView{}, err
		}
		for _, imp := range vs.imports {
			label := fmt.Sprintf("Import %d of %s (%s)", imp.ID, imp.At.UTC().Format("2 Jan 2006"), imp.FileName)
			id := strconv.FormatInt(imp.ID, 10)
			v.FromOptions = append(v.FromOptions, option{Value: id, Label: label, Selected: imp.ID == from.ID})
			v.ToOptions = append(v.ToOptions, option{Value: id, Label: label, Selected: imp.ID == to.ID})
		}
		return pageView{Title: fmt.Sprintf("Changes from import %d to import %d", from.ID, to.ID), Template: "changes", Method: m.Name, Body: v}, nil
	})
}
