package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// downloadsView is the /downloads page: the bulk ZIP with its size, and
// how downloads and citations work.
type downloadsView struct {
	Href     string
	Bulk     bulkState
	SizeText string
	Vintage  vintageView
}

// showDownloads serves /downloads. It is rendered for each request (not
// from the page cache) because the ZIP's size appears once it is built.
// Opening the page builds nothing: the first request of the ZIP itself
// does (a build reads every observation and writes a file of a hundred
// megabytes or more on a large database), so until then the page says
// the size is not known yet.
func (s *Server) showDownloads(c echo.Context) error {
	ctx := c.Request().Context()
	key, err := s.bulkKey(ctx)
	if err != nil {
		return err
	}
	v := downloadsView{Href: "/download/all.zip", Bulk: s.bulk.state(key)}
	if id := asOf(ctx); id != 0 {
		v.Href += "?as_of=" + c.QueryParam("as_of")
	}
	if v.Bulk.Ready {
		v.SizeText = sizeText(v.Bulk.Size)
	}
	p := pageView{Title: "Downloads", Template: "downloads", Body: &v}
	if p.Freshness, err = s.freshness(ctx); err != nil {
		return err
	}
	if p.Vintage, err = s.buildVintageView(ctx, c); err != nil {
		return err
	}
	v.Vintage = p.Vintage
	return s.renderPrivate(c, http.StatusOK, p)
}
