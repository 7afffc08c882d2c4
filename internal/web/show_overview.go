package web

import (
	"context"
	"net/url"

	"github.com/labstack/echo/v4"
)

// showOverview serves / (and /api/v1/overview): the targets × regions grid.
func (s *Server) showOverview(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	return s.respond(c, func(ctx context.Context) (pageView, error) {
		p, err := s.buildOverview(ctx, m, downloadLinks("/overview", c.QueryParams()))
		if err != nil {
			return p, err
		}
		v := p.Body.(overviewView)
		hq := url.Values{"table": {"headlines"}}
		for k, vs := range c.QueryParams() {
			hq[k] = vs
		}
		v.HeadLinks = downloadLinks("/overview", hq)
		p.Body = v
		return p, nil
	})
}
