package clustersettings

import (
	"math"
	"regexp"
)

// Prices are what one CPU core and one GiB of memory cost per hour in the cluster, used to
// put a monthly price on requests (pkg/savings). They price requests, not usage: a request
// reserves node capacity whether it is used or not.
type Prices struct {
	Currency    string  `json:"currency"`    // ISO 4217 code, e.g. "USD"
	CPUCoreHour float64 `json:"cpuCoreHour"` // per requested core per hour
	MemGiBHour  float64 `json:"memGiBHour"`  // per requested GiB per hour
}

// DefaultPrices are a typical public-cloud on-demand list price of a vCPU-hour and a
// GiB-hour (a general-purpose instance's hourly price split between its vCPUs and memory);
// they are a starting point that each cluster's Admin should replace with its own.
func DefaultPrices() Prices {
	return Prices{Currency: "USD", CPUCoreHour: 0.0316, MemGiBHour: 0.0042}
}

// MaxHourlyPrice bounds each price: far above any real per-core or per-GiB hourly price, so
// only a typo (a monthly price, an extra digit run) is refused.
const MaxHourlyPrice = 1000

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

func (p Prices) validate() error {
	if !currencyCode.MatchString(p.Currency) {
		return fieldErr("prices.currency", "must be a 3-letter ISO 4217 code in capitals, e.g. \"USD\", got %q", p.Currency)
	}
	for _, f := range []struct {
		field string
		v     float64
	}{{"prices.cpuCoreHour", p.CPUCoreHour}, {"prices.memGiBHour", p.MemGiBHour}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 || f.v > MaxHourlyPrice {
			return fieldErr(f.field, "must be a price per hour from 0 to %d", MaxHourlyPrice)
		}
	}
	return nil
}
