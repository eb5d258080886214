package cache

import "github.com/prometheus/client_golang/prometheus"

// Register exposes the cache's health on reg: objects per kind, seconds since each kind's last
// change, and whether all caches have synced. Values are read at scrape time.
func (c *Cache) Register(reg prometheus.Registerer) error {
	var cs []prometheus.Collector
	for _, kind := range Kinds {
		k := kind
		cs = append(cs,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "kubedoor_webhook_cache_objects", Help: "Objects held in the webhook's informer cache.",
				ConstLabels: prometheus.Labels{"kind": k},
			}, func() float64 { return float64(c.size(k)) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "kubedoor_webhook_cache_last_event_age_seconds", Help: "Seconds since the informer last saw an add, update or delete (since start if none).",
				ConstLabels: prometheus.Labels{"kind": k},
			}, func() float64 { return c.LastEventAge(k).Seconds() }),
		)
	}
	cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kubedoor_webhook_cache_synced", Help: "1 once every informer has completed its first list (the webhook is ready).",
	}, func() float64 {
		if c.Synced() {
			return 1
		}
		return 0
	}))
	for _, col := range cs {
		if err := reg.Register(col); err != nil {
			return err
		}
	}
	return nil
}
