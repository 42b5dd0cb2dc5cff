package carrier

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fulfillkit/fulfill"
	"github.com/shopspring/decimal"
)

// MaxCSVRows is the most rows the CSV readers accept.
const MaxCSVRows = 100_000

// ParseZonesCSV reads a zone chart from CSV with the header
// "origin,destination,zone" and an optional fourth column "exception"
// ("true" marks a row as an exception, tried before every range):
//
//	origin,destination,zone,exception
//	900-961,900-961,2,
//	900-961,995-999,9,true
//
// Errors are *[CardError] values naming the line, wrapping [ErrInvalidCard].
func ParseZonesCSV(r io.Reader) (ZoneChart, error) {
	rows, err := readCSV(r, []string{"origin", "destination", "zone"}, []string{"exception"})
	if err != nil {
		return ZoneChart{}, err
	}
	var z ZoneChart
	var errs []error
	for _, row := range rows {
		o, err1 := ParseZIPRange(row.cells[0])
		d, err2 := ParseZIPRange(row.cells[1])
		zone := strings.TrimSpace(row.cells[2])
		switch {
		case err1 != nil:
			errs = append(errs, &CardError{Line: row.line, Field: "origin", Value: row.cells[0], Reason: "want a ZIP range such as 900-961"})
			continue
		case err2 != nil:
			errs = append(errs, &CardError{Line: row.line, Field: "destination", Value: row.cells[1], Reason: "want a ZIP range such as 900-961"})
			continue
		case zone == "":
			errs = append(errs, &CardError{Line: row.line, Field: "zone", Reason: "required"})
			continue
		}
		zr := ZoneRange{Origin: o, Destination: d, Zone: zone}
		switch ex := strings.ToLower(strings.TrimSpace(row.cell(3))); ex {
		case "true", "yes", "1":
			z.Exceptions = append(z.Exceptions, zr)
		case "", "false", "no", "0":
			z.Ranges = append(z.Ranges, zr)
		default:
			errs = append(errs, &CardError{Line: row.line, Field: "exception", Value: ex, Reason: "want true or false"})
		}
	}
	if err := errors.Join(errs...); err != nil {
		return ZoneChart{}, err
	}
	return z, nil
}

// ParsePricesCSV reads a price grid from CSV: a header "weight" followed by
// one column per zone, and a row per weight break, increasing, with a unit:
//
//	weight,2,3,4
//	1lb,8.00,8.50,9.00
//	2lb,9.00,9.75,10.50
//
// Every cell must hold a non-negative decimal amount. Errors are
// *[CardError] values naming the line, wrapping [ErrInvalidCard].
func ParsePricesCSV(r io.Reader) (PriceTable, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return PriceTable{}, &CardError{Line: 1, Reason: "reading the header: " + err.Error()}
	}
	if len(header) < 2 || !strings.EqualFold(strings.TrimSpace(header[0]), "weight") {
		return PriceTable{}, &CardError{Line: 1, Field: "header", Value: strings.Join(header, ","), Reason: `want "weight" then one column per zone`}
	}
	zones := make([]string, len(header)-1)
	seen := map[string]bool{}
	for i, h := range header[1:] {
		zones[i] = strings.TrimSpace(h)
		if zones[i] == "" || seen[zones[i]] {
			return PriceTable{}, &CardError{Line: 1, Field: "header", Value: h, Reason: "zone names must be present and unique"}
		}
		seen[zones[i]] = true
	}
	p := PriceTable{Zones: make(map[string][]decimal.Decimal, len(zones))}
	var errs []error
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return PriceTable{}, &CardError{Line: line, Reason: err.Error()}
		}
		if line > MaxCSVRows {
			return PriceTable{}, &CardError{Line: line, Reason: fmt.Sprintf("more than %d rows", MaxCSVRows)}
		}
		w, err := fulfill.ParseMass(rec[0])
		if err != nil || w <= 0 {
			errs = append(errs, &CardError{Line: line, Field: "weight", Value: rec[0], Reason: "want a positive weight with a unit such as 1lb"})
			continue
		}
		if n := len(p.Weights); n > 0 && w <= p.Weights[n-1] {
			errs = append(errs, &CardError{Line: line, Field: "weight", Value: rec[0], Reason: "weights must increase"})
			continue
		}
		p.Weights = append(p.Weights, w)
		for i, z := range zones {
			d, err := decimal.NewFromString(strings.TrimSpace(rec[i+1]))
			if err != nil || d.Sign() < 0 {
				errs = append(errs, &CardError{Line: line, Field: "zone " + z, Value: rec[i+1], Reason: "want a non-negative amount"})
				d = decimal.Zero
			}
			p.Zones[z] = append(p.Zones[z], d)
		}
	}
	if len(p.Weights) == 0 {
		errs = append(errs, &CardError{Line: 2, Reason: "no weight rows"})
	}
	if err := errors.Join(errs...); err != nil {
		return PriceTable{}, err
	}
	return p, nil
}

type csvRow struct {
	line  int
	cells []string
}

func (r csvRow) cell(i int) string {
	if i < len(r.cells) {
		return r.cells[i]
	}
	return ""
}

// readCSV reads rows after a header that must start with want and may
// continue with optional columns.
func readCSV(r io.Reader, want, optional []string) ([]csvRow, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, &CardError{Line: 1, Reason: "reading the header: " + err.Error()}
	}
	ok := len(header) >= len(want) && len(header) <= len(want)+len(optional)
	for i := 0; ok && i < len(header); i++ {
		name := append(append([]string(nil), want...), optional...)[i]
		ok = strings.EqualFold(strings.TrimSpace(header[i]), name)
	}
	if !ok {
		return nil, &CardError{Line: 1, Field: "header", Value: strings.Join(header, ","), Reason: "want columns " + strings.Join(append(append([]string(nil), want...), optional...), ",")}
	}
	var rows []csvRow
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, &CardError{Line: line, Reason: err.Error()}
		}
		if line > MaxCSVRows {
			return nil, &CardError{Line: line, Reason: fmt.Sprintf("more than %d rows", MaxCSVRows)}
		}
		if len(rec) != len(header) {
			return nil, &CardError{Line: line, Reason: fmt.Sprintf("want %d columns, got %d", len(header), len(rec))}
		}
		rows = append(rows, csvRow{line: line, cells: rec})
	}
}
