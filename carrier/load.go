package carrier

import (
	"bytes"
	"errors"
	"io/fs"
	"path"
)

// ParseRateCardFS reads a rate card kept as files in dir of fsys, as
// carriers publish them: card.json holds the card, and CSV files, where
// present, replace parts of it:
//
//	card.json            the card (zones and prices may be left out)
//	zones.csv            the zone chart, as [ParseZonesCSV] reads it
//	prices-GROUND.csv    the price grid of service GROUND, as [ParsePricesCSV] reads it
//
// The assembled card is validated. Errors wrap [ErrInvalidCard], or the
// file system's error for a missing card.json.
func ParseRateCardFS(fsys fs.FS, dir string) (*RateCard, error) {
	data, err := fs.ReadFile(fsys, path.Join(dir, "card.json"))
	if err != nil {
		return nil, err
	}
	c, err := decodeRateCard(data)
	if err != nil {
		return nil, err
	}
	var errs []error
	if z, err := fs.ReadFile(fsys, path.Join(dir, "zones.csv")); err == nil {
		chart, err := ParseZonesCSV(bytes.NewReader(z))
		if err != nil {
			errs = append(errs, fileError("zones.csv", err))
		} else {
			c.Zones = chart
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for i := range c.Services {
		name := "prices-" + c.Services[i].Code + ".csv"
		p, err := fs.ReadFile(fsys, path.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		grid, err := ParsePricesCSV(bytes.NewReader(p))
		if err != nil {
			errs = append(errs, fileError(name, err))
			continue
		}
		c.Services[i].Prices = grid
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// fileError names the file in each *CardError of err.
func fileError(file string, err error) error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		if ce, ok := e.(*CardError); ok {
			c := *ce
			c.Card = file
			out = append(out, &c)
			return
		}
		out = append(out, e)
	}
	walk(err)
	return errors.Join(out...)
}
