// Command quickstart walks through the library with in-memory defaults: no
// database, no carrier accounts, no set-up. Run it with
//
//	go run ./examples/quickstart
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/shopspring/decimal"

	"github.com/fulfillkit/fulfill"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run writes the whole walk-through to w.
func run(w io.Writer) error {
	fmt.Fprintln(w, "== 1. A parcel, in both unit systems")
	parcel, err := fulfill.ParseDimensions("11.1 x 8.5 x 3.2 in")
	if err != nil {
		return err
	}
	weight, err := fulfill.ParseMass("2.3 lb")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   measured  %s = %.1f x %.1f x %.1f cm, %s = %.2f lb\n", parcel,
		parcel.Length.Centimeters(), parcel.Width.Centimeters(), parcel.Height.Centimeters(), weight, weight.Pounds())
	inches := func(l fulfill.Length) int64 { return int64(l.Ceil(fulfill.Inch) / fulfill.Inch) }
	fmt.Fprintf(w, "   a carrier rounds every fraction up: %d x %d x %d in, %d lb; length + girth %s\n",
		inches(parcel.Length), inches(parcel.Width), inches(parcel.Height),
		int64(weight.Ceil(fulfill.Pound)/fulfill.Pound), parcel.LengthPlusGirth())

	fmt.Fprintln(w, "\n== 2. An order total, split across its lines without losing a cent")
	lines := []struct {
		sku   fulfill.SKU
		qty   int64
		price fulfill.Money
	}{
		{"TSHIRT-RED-M", 3, fulfill.MustMoney("19.99", "USD")},
		{"MUG-WHITE", 1, fulfill.MustMoney("5.01", "USD")},
		{"CAP-NAVY", 2, fulfill.MustMoney("12.50", "USD")},
	}
	var subtotal fulfill.Money
	ratios := make([]decimal.Decimal, len(lines))
	for i, l := range lines {
		lineTotal := l.price.Mul(l.qty)
		ratios[i] = lineTotal.Amount()
		if subtotal, err = subtotal.Add(lineTotal); err != nil {
			return err
		}
	}
	discount := fulfill.MustMoney("10.00", "USD")
	shares, err := discount.Allocate(ratios...)
	if err != nil {
		return err
	}
	for i, l := range lines {
		fmt.Fprintf(w, "   %-13s %d x %-10s discount share %s\n", l.sku, l.qty, l.price, shares[i])
	}
	sum, err := fulfill.Sum(shares...)
	if err != nil {
		return err
	}
	total, err := subtotal.Sub(discount)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   subtotal %s - discount %s (shares sum to %s) = %s\n", subtotal, discount, sum, total)
	return nil
}
