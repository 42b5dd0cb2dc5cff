package fulfill

import (
	"errors"
	"regexp"
	"strings"
)

// Address is a postal address: where an order ships to, where a warehouse
// ships from, where a return goes back to. It is an immutable, comparable
// value.
type Address struct {
	Name        string `json:"name,omitempty"`    // person or company receiving
	Company     string `json:"company,omitempty"` // optional company name
	Line1       string `json:"line1"`             // street and number
	Line2       string `json:"line2,omitempty"`   // apartment, suite, floor
	City        string `json:"city"`
	Region      string `json:"region,omitempty"` // state, province or county code, such as "CA"
	PostalCode  string `json:"postal_code,omitempty"`
	Country     string `json:"country"` // ISO 3166-1 alpha-2, upper case: "US", "DE"
	Phone       string `json:"phone,omitempty"`
	Residential bool   `json:"residential,omitempty"` // carriers surcharge residential delivery
}

// postalPatterns holds the postal code formats checked by Validate, for the
// countries that require one and whose format is stable.
var postalPatterns = map[string]*regexp.Regexp{
	"US": regexp.MustCompile(`^\d{5}(-\d{4})?$`),
	"CA": regexp.MustCompile(`^[A-Z]\d[A-Z] ?\d[A-Z]\d$`),
	"GB": regexp.MustCompile(`^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$`),
	"DE": regexp.MustCompile(`^\d{5}$`),
	"FR": regexp.MustCompile(`^\d{5}$`),
	"IT": regexp.MustCompile(`^\d{5}$`),
	"ES": regexp.MustCompile(`^\d{5}$`),
	"NL": regexp.MustCompile(`^\d{4} ?[A-Z]{2}$`),
	"AU": regexp.MustCompile(`^\d{4}$`),
	"JP": regexp.MustCompile(`^\d{3}-?\d{4}$`),
	"BR": regexp.MustCompile(`^\d{5}-?\d{3}$`),
	"IN": regexp.MustCompile(`^\d{6}$`),
	"MX": regexp.MustCompile(`^\d{5}$`),
}

// regionRequired lists the countries whose addresses need a region code.
var regionRequired = map[string]bool{"US": true, "CA": true, "AU": true, "BR": true, "MX": true, "IN": true}

// Validate checks the fields a carrier needs: Line1, City and Country are
// required; Country must be an ISO 3166-1 alpha-2 code; for the countries that
// use them, Region is required and PostalCode must be present and well formed
// (US ZIP or ZIP+4, Canadian, British, Dutch, Japanese and other common
// formats; other countries are not format-checked). Every failing field is
// reported: the result joins one *[FieldError] per field, each unwrapping
// to [ErrInvalidAddress].
func (a Address) Validate() error {
	var errs []error
	bad := func(field, value, reason string) {
		errs = append(errs, &FieldError{Field: field, Value: value, Reason: reason, Kind: ErrInvalidAddress})
	}
	if strings.TrimSpace(a.Line1) == "" {
		bad("line1", a.Line1, "required")
	}
	if strings.TrimSpace(a.City) == "" {
		bad("city", a.City, "required")
	}
	switch {
	case a.Country == "":
		bad("country", a.Country, "required")
	case !countries[a.Country]:
		bad("country", a.Country, "not an ISO 3166-1 alpha-2 code")
	default:
		if regionRequired[a.Country] && strings.TrimSpace(a.Region) == "" {
			bad("region", a.Region, "required in "+a.Country)
		}
		if re, ok := postalPatterns[a.Country]; ok {
			switch pc := strings.ToUpper(strings.TrimSpace(a.PostalCode)); {
			case pc == "":
				bad("postal_code", a.PostalCode, "required in "+a.Country)
			case !re.MatchString(pc):
				bad("postal_code", a.PostalCode, "not a valid postal code in "+a.Country)
			}
		}
	}
	return errors.Join(errs...)
}

// ZIP3 returns the first three digits of a US postal code, which carriers'
// zone charts are keyed on, and false if a is not a US address with a
// numeric ZIP code.
func (a Address) ZIP3() (string, bool) {
	pc := strings.TrimSpace(a.PostalCode)
	if a.Country != "US" || len(pc) < 5 {
		return "", false
	}
	for _, c := range pc[:5] {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return pc[:3], true
}

// countries is the set of ISO 3166-1 alpha-2 codes.
var countries = func() map[string]bool {
	const list = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS " +
		"BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES " +
		"ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM " +
		"IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME " +
		"MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG " +
		"PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY " +
		"SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
	m := make(map[string]bool, 249)
	for _, c := range strings.Fields(list) {
		m[c] = true
	}
	return m
}()
