package web

import (
	"context"

	"github.com/migtrack/migtrack/internal/sdg"
)

// seriesOf lists an indicator's series: the catalog's, then those that
// imported files described and the catalog does not know yet (shown, not
// assessed: they have no direction and no target).
func (s *Server) seriesOf(ctx context.Context, indicator string) ([]sdg.Series, error) {
	out := s.cfg.Catalog.SeriesOf(indicator)
	described, err := s.cfg.Store.FileSeries(ctx)
	if err != nil {
		return nil, err
	}
	for _, se := range described {
		if _, known := s.cfg.Catalog.SeriesByCode(se.Code); se.Indicator == indicator && !known {
			out = append(out, se)
		}
	}
	return out, nil
}

// fileSeries finds a series an imported file described, by code.
func (s *Server) fileSeries(ctx context.Context, code string) (sdg.Series, bool, error) {
	described, err := s.cfg.Store.FileSeries(ctx)
	if err != nil {
		return sdg.Series{}, false, err
	}
	for _, se := range described {
		if se.Code == code {
			return se, true, nil
		}
	}
	return sdg.Series{}, false, nil
}
