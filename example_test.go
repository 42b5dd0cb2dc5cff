package fulfill_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/fulfillkit/fulfill"
)

func Example() {
	// A parcel measured in inches and weighed in pounds, as a US carrier sees it.
	d, _ := fulfill.ParseDimensions("11.1 x 8.5 x 3.2 in")
	w, _ := fulfill.ParseMass("2.3 lb")
	fmt.Println("dimensions:", d)
	inches := func(l fulfill.Length) int64 { return int64(l.Ceil(fulfill.Inch) / fulfill.Inch) }
	fmt.Println("billed as:", inches(d.Length), "x", inches(d.Width), "x", inches(d.Height), "in,",
		int64(w.Ceil(fulfill.Pound)/fulfill.Pound), "lb")
	fmt.Println("length + girth:", d.LengthPlusGirth())

	// An order discount spread over three lines in proportion to their totals.
	discount := fulfill.MustMoney("10.00", "USD")
	parts, _ := discount.Allocate(decimal.RequireFromString("19.99"), decimal.RequireFromString("5.01"), decimal.RequireFromString("5.00"))
	fmt.Println("discount per line:", parts)
	// Output:
	// dimensions: 281.94mmx215.9mmx81.28mm
	// billed as: 12 x 9 x 4 in, 3 lb
	// length + girth: 876.3mm
	// discount per line: [6.66 USD 1.67 USD 1.67 USD]
}

func ExampleParseLength() {
	l, err := fulfill.ParseLength("11.1in")
	if err != nil {
		panic(err)
	}
	up := l.Ceil(fulfill.Inch)
	fmt.Println(l, "rounds up to", int64(up/fulfill.Inch), "in =", up)
	_, err = fulfill.ParseLength("12 furlongs")
	fmt.Println(errors.Is(err, fulfill.ErrSyntax), err)
	// Output:
	// 281.94mm rounds up to 12 in = 304.8mm
	// true fulfill: ParseLength "12 furlongs": fulfill: invalid syntax: unknown unit "furlongs"
}

func ExampleMass_Ceil() {
	w, _ := fulfill.ParseMass("5 lb 8 oz")
	fmt.Println(w, "is billed as", int64(w.Ceil(fulfill.Pound)/fulfill.Pound), "lb")
	// Output: 2.494758035kg is billed as 6 lb
}

func ExampleDimensions_Fits() {
	item := fulfill.Dims(40*fulfill.Centimeter, 10*fulfill.Centimeter, 25*fulfill.Centimeter)
	box := fulfill.Dims(30*fulfill.Centimeter, 30*fulfill.Centimeter, 45*fulfill.Centimeter)
	fmt.Println("fits:", item.Fits(box), "upright:", item.FitsUpright(box))
	// Output: fits: true upright: false
}

func ExampleMoney_Add() {
	a := fulfill.MustMoney("12.30", "USD")
	b := fulfill.MustMoney("0.75", "USD")
	sum, _ := a.Add(b)
	fmt.Println(sum)
	// Output: 13.05 USD
}

func ExampleMoney_Add_mixedCurrency() {
	_, err := fulfill.MustMoney("1", "USD").Add(fulfill.MustMoney("1", "EUR"))
	if me, ok := errors.AsType[*fulfill.CurrencyMismatchError](err); ok {
		fmt.Println("cannot add", me.A, "and", me.B)
	}
	// Output: cannot add USD and EUR
}

func ExampleMoney_Add_sum() {
	var total fulfill.Money // the zero Money starts any sum
	for _, price := range []string{"19.99", "5.01", "0.10"} {
		total, _ = total.Add(fulfill.MustMoney(price, "EUR"))
	}
	fmt.Println(total)
	// Output: 25.10 EUR
}

func ExampleMoney_Allocate() {
	shipping := fulfill.MustMoney("10.00", "USD")
	parts, _ := shipping.Allocate(decimal.NewFromInt(1), decimal.NewFromInt(1), decimal.NewFromInt(1))
	fmt.Println(parts)
	// Output: [3.34 USD 3.33 USD 3.33 USD]
}

func ExampleMoney_Round() {
	tax := fulfill.MustMoney("19.99", "USD").MulDecimal(decimal.RequireFromString("0.0825"))
	fmt.Println(tax, "->", tax.Round(fulfill.RoundHalfUp), "or", tax.Round(fulfill.RoundHalfEven))
	// Output: 1.649175 USD -> 1.65 USD or 1.65 USD
}

func ExampleMoney_MarshalJSON() {
	b, _ := json.Marshal(fulfill.MustMoney("12.3", "USD"))
	fmt.Println(string(b))
	// Output: {"amount":"12.30","currency":"USD"}
}

func ExampleAddress_Validate() {
	a := fulfill.Address{Line1: "1 Main St", City: "Springfield", Country: "US", PostalCode: "6270"}
	fmt.Println(a.Validate())
	// Output:
	// fulfill: invalid address: region "": required in US
	// fulfill: invalid address: postal_code "6270": not a valid postal code in US
}
