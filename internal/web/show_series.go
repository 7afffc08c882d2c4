package web

import (
	"context"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
)

// showSeries serves /series/{code}: trend, map, ranking, progress, data.
func (s *Server) showSeries(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	se, ok := s.cfg.Catalog.SeriesByCode(c.Param("code"))
	if !ok {
		return sdg.Errorf(sdg.ENotFound, "no series %q in the catalog", c.Param("code"))
	}
	q := c.QueryParams()
	sq, err := s.parseSeriesQuery(q)
	if err != nil {
		return err
	}
	return s.respond(c, func(ctx context.Context) (pageView, error) {
		v, err := s.buildSeries(ctx, m, se, sq)
		if err != nil {
			return pageView{}, err
		}
		v.Filters.Action = "/series/" + se.Code
		v.Download = downloadURL(se.Code, q)
		return pageView{Title: se.Description, Template: "series", Charts: true, Body: v}, nil
	})
}

// downloadURL is the CSV download of exactly the view: same filters.
func downloadURL(code string, q url.Values) string {
	d := url.Values{}
	for k, vs := range q {
		if k != "series" && k != "format" {
			d[k] = vs
		}
	}
	d.Set("format", "csv")
	return "/download/series/" + url.PathEscape(code) + "?" + d.Encode()
}
