package testenv

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// PromOptions selects what StartPrometheus loads and runs. Backfill sources are loaded with
// `promtool tsdb create-blocks-from openmetrics` before Prometheus starts, in this order: File,
// Backfill, then Parts. Each must be OpenMetrics text ending in "# EOF", with samples in the past.
type PromOptions struct {
	Version PromVersion // which Prometheus runs; default PromDefault

	BackfillFile string        // an OpenMetrics file, loaded in place
	Backfill     io.Reader     // copied to a temp file, loaded, deleted
	Parts        []io.WriterTo // each written to a temp file, loaded, deleted: bounded disk for big data
	// PartsParallel is how many Parts are written and loaded at once; default 1 (the machines
	// have 2 shared cores and promtool uses one each).
	PartsParallel int

	// Retention is --storage.tsdb.retention.time. Default 800d, so backfilled days up to 400 days
	// old are not deleted on start (retention counts back from the newest data, i.e. now).
	Retention          string
	ScrapeInterval     time.Duration // global scrape and evaluation interval; default 30s
	ExtraScrapeConfigs []ScrapeConfig
	ExtraFlags         []string // appended to prometheus' command line

	Dir          string        // holds config, TSDB and logs; default a new temp dir, removed by Stop
	StartTimeout time.Duration // wait for /-/ready; default 120s (loading big blocks takes time)
	StopGrace    time.Duration // SIGTERM → SIGKILL; default 10s
	Keep         bool          // keep a temp Dir after Stop; also KUBEDOOR_KEEP_TESTBED=1
	Logger       *slog.Logger  // default slog.Default()
}

// PromVersion selects the Prometheus StartPrometheus runs. Tests of PromQL the product sends run
// against each of PromVersions, because 3.x reads range selectors left-open and 2.x closed.
type PromVersion int

const (
	// PromDefault is Prometheus(): $KUBEDOOR_PROMETHEUS, else Debian's package on PATH (2.42).
	PromDefault PromVersion = iota
	// Prom3 is Prometheus3(): the cached build of Prometheus3Version.
	Prom3
)

// PromVersions are the Prometheus builds the collector's tests run against.
var PromVersions = []PromVersion{PromDefault, Prom3}

func (v PromVersion) binaries() (prometheus, promtool string, err error) {
	if v == Prom3 {
		return Prometheus3()
	}
	return Prometheus()
}

// ScrapeConfig is one scrape job. Raw, when set, is a complete YAML mapping used verbatim.
type ScrapeConfig struct {
	JobName            string
	Targets            []string // static_configs
	HTTPSDURL          string   // http_sd_configs, e.g. kwok's /discovery/prometheus
	MetricsPath        string
	Scheme             string
	HonorLabels        bool
	InsecureSkipVerify bool
	Interval           time.Duration
	Raw                string
}

// PromServer is a running Prometheus on 127.0.0.1. (Prometheus() in parts.go finds the
// binaries, hence the name.)
type PromServer struct {
	URL string // http://127.0.0.1:<port>
	// Version is what the running server reports (build info), without a distribution suffix
	// such as Debian's "+ds": e.g. "2.42.0", "3.16.0".
	Version    string
	Dir        string
	DataDir    string
	ConfigPath string
	LogPath    string

	BackfillBytes    int64         // OpenMetrics bytes given to promtool
	BackfillDuration time.Duration // writing parts + promtool, all sources
	StartDuration    time.Duration // prometheus exec → /-/ready

	opts     PromOptions
	mu       sync.Mutex // guards BackfillBytes while parts load in parallel
	proc     *process
	tempDir  bool
	stopOnce sync.Once
	stopErr  error
}

func (o PromOptions) withDefaults() PromOptions {
	if o.Retention == "" {
		o.Retention = "800d"
	}
	if o.ScrapeInterval == 0 {
		o.ScrapeInterval = 30 * time.Second
	}
	if o.PartsParallel <= 0 {
		o.PartsParallel = 1
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 120 * time.Second
	}
	if o.StopGrace == 0 {
		o.StopGrace = 10 * time.Second
	}
	if os.Getenv(KeepEnv) == "1" {
		o.Keep = true
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// StartPrometheus loads the backfill, starts Prometheus on a free port and waits until it is
// ready. The process is in its own group and dies with the test process. On error everything is
// cleaned up and the error carries the failing tool's last log lines.
func StartPrometheus(ctx context.Context, opts PromOptions) (_ *PromServer, err error) {
	opts = opts.withDefaults()
	bin, promtool, err := opts.Version.binaries()
	if err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	p := &PromServer{opts: opts, Dir: opts.Dir}
	if p.Dir == "" {
		if p.Dir, err = os.MkdirTemp("", "kubedoor-prometheus-"); err != nil {
			return nil, fmt.Errorf("testenv: prometheus dir: %w", err)
		}
		p.tempDir = true
	}
	defer func() {
		if err != nil {
			_ = p.Stop()
		}
	}()
	p.DataDir = filepath.Join(p.Dir, "data")
	p.ConfigPath = filepath.Join(p.Dir, "prometheus.yml")
	p.LogPath = filepath.Join(p.Dir, "prometheus.log")
	if err := os.MkdirAll(p.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("testenv: prometheus data dir: %w", err)
	}
	t0 := time.Now()
	if err := p.backfill(ctx, promtool); err != nil {
		return nil, fmt.Errorf("testenv: backfill: %w", err)
	}
	p.BackfillDuration = time.Since(t0)
	if err := os.WriteFile(p.ConfigPath, []byte(promConfig(opts)), 0o644); err != nil {
		return nil, fmt.Errorf("testenv: prometheus config: %w", err)
	}
	t1 := time.Now()
	p.proc, err = startWithFreePorts(ctx, 1, func(ctx context.Context, ports []int) (*process, error) {
		return p.launch(ctx, bin, ports[0])
	})
	if err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	p.StartDuration = time.Since(t1)
	if p.Version, err = buildVersion(ctx, p.URL); err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	// A test that asked for 3.x must not pass on another build (a stale or misplaced cache).
	if opts.Version == Prom3 && !strings.HasPrefix(p.Version, "3.") {
		return nil, fmt.Errorf("testenv: %s reports version %s, want 3.x", bin, p.Version)
	}
	opts.Logger.Info("prometheus ready", "version", p.Version, "url", p.URL, "backfill", p.BackfillDuration, "start", p.StartDuration)
	return p, nil
}

func (p *PromServer) launch(ctx context.Context, bin string, port int) (*process, error) {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := append([]string{
		"--config.file=" + p.ConfigPath,
		"--storage.tsdb.path=" + p.DataDir,
		"--storage.tsdb.retention.time=" + p.opts.Retention,
		"--web.listen-address=" + addr,
		"--web.enable-admin-api",
		"--web.enable-lifecycle",
	}, p.opts.ExtraFlags...)
	proc, err := startProcess(p.opts.Logger, "prometheus", bin, args, p.LogPath)
	if err != nil {
		return nil, err
	}
	url := "http://" + addr
	client := &http.Client{Timeout: 2 * time.Second}
	if err := waitHealthy(ctx, proc, p.opts.StartTimeout, httpCheck(client, url+"/-/ready", "")); err != nil {
		_ = proc.stop(p.opts.StopGrace)
		return nil, err
	}
	p.URL = url
	return proc, nil
}

// Name is "prometheus-<version>", for subtests run against each version.
func (p *PromServer) Name() string { return "prometheus-" + p.Version }

// buildVersion asks a running Prometheus its version.
func buildVersion(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/v1/status/buildinfo", nil)
	if err != nil {
		return "", fmt.Errorf("build info request: %w", err)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return "", fmt.Errorf("prometheus build info: %w", err)
	}
	defer resp.Body.Close()
	var info struct {
		Data struct {
			Version string `json:"version"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return "", fmt.Errorf("prometheus build info (%s): %w", resp.Status, err)
	}
	if info.Data.Version == "" {
		return "", fmt.Errorf("prometheus build info (%s) holds no version", resp.Status)
	}
	v, _, _ := strings.Cut(info.Data.Version, "+")
	return v, nil
}

// backfill loads every source into DataDir. Parts run PartsParallel at a time; each promtool run
// writes its own blocks, and Prometheus merges blocks that overlap in time.
func (p *PromServer) backfill(ctx context.Context, promtool string) error {
	if f := p.opts.BackfillFile; f != "" {
		st, err := os.Stat(f)
		if err != nil {
			return fmt.Errorf("backfill file: %w", err)
		}
		p.addBytes(st.Size())
		if err := p.promtool(ctx, promtool, f, "promtool-file.log"); err != nil {
			return err
		}
	}
	if r := p.opts.Backfill; r != nil {
		if err := p.loadPart(ctx, promtool, "reader", func(w io.Writer) (int64, error) { return io.Copy(w, r) }); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, p.opts.PartsParallel)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for i, part := range p.opts.Parts {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		mu.Lock()
		failed := first != nil || ctx.Err() != nil
		mu.Unlock()
		if failed {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := p.loadPart(ctx, promtool, fmt.Sprintf("part-%d", i), part.WriteTo); err != nil {
				mu.Lock()
				if first == nil {
					first = fmt.Errorf("part %d: %w", i, err)
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return first
}

// loadPart writes one source to a temp file, loads it and deletes the file.
func (p *PromServer) loadPart(ctx context.Context, promtool, name string, write func(io.Writer) (int64, error)) error {
	file := filepath.Join(p.Dir, "backfill-"+name+".om")
	defer os.Remove(file)
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("backfill file: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	n, err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	p.addBytes(n)
	return p.promtool(ctx, promtool, file, "promtool-"+name+".log")
}

func (p *PromServer) addBytes(n int64) {
	p.mu.Lock()
	p.BackfillBytes += n
	p.mu.Unlock()
}

func (p *PromServer) promtool(ctx context.Context, promtool, file, logName string) error {
	logPath := filepath.Join(p.Dir, logName)
	log, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("promtool log: %w", err)
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, promtool, "tsdb", "create-blocks-from", "openmetrics", file, p.DataDir)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("promtool tsdb create-blocks-from openmetrics %s: %w; log %s, last lines:\n%s",
			filepath.Base(file), err, logPath, logTail(logPath, logTailLines))
	}
	return nil
}

// Stop terminates Prometheus and removes a temp Dir unless kept. It is safe to call twice.
func (p *PromServer) Stop() error {
	p.stopOnce.Do(func() {
		if p.proc != nil {
			p.stopErr = p.proc.stop(p.opts.StopGrace)
		}
		if p.tempDir && !p.opts.Keep {
			if err := os.RemoveAll(p.Dir); err != nil {
				p.stopErr = errors.Join(p.stopErr, fmt.Errorf("removing %s: %w", p.Dir, err))
			}
		}
	})
	return p.stopErr
}

// LogTail returns the last lines of Prometheus' log, for test failure messages.
func (p *PromServer) LogTail() string { return logTail(p.LogPath, logTailLines) }

func promConfig(o PromOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  evaluation_interval: %s\n", promDuration(o.ScrapeInterval), promDuration(o.ScrapeInterval))
	if len(o.ExtraScrapeConfigs) == 0 {
		b.WriteString("scrape_configs: []\n")
		return b.String()
	}
	b.WriteString("scrape_configs:\n")
	for _, sc := range o.ExtraScrapeConfigs {
		if sc.Raw != "" {
			for i, line := range strings.Split(strings.TrimRight(sc.Raw, "\n"), "\n") {
				if i == 0 {
					b.WriteString("  - " + line + "\n")
				} else {
					b.WriteString("    " + line + "\n")
				}
			}
			continue
		}
		fmt.Fprintf(&b, "  - job_name: %s\n", strconv.Quote(sc.JobName))
		if sc.Interval > 0 {
			fmt.Fprintf(&b, "    scrape_interval: %s\n", promDuration(sc.Interval))
		}
		if sc.MetricsPath != "" {
			fmt.Fprintf(&b, "    metrics_path: %s\n", strconv.Quote(sc.MetricsPath))
		}
		if sc.Scheme != "" {
			fmt.Fprintf(&b, "    scheme: %s\n", strconv.Quote(sc.Scheme))
		}
		if sc.HonorLabels {
			b.WriteString("    honor_labels: true\n")
		}
		if sc.InsecureSkipVerify {
			b.WriteString("    tls_config:\n      insecure_skip_verify: true\n")
		}
		if len(sc.Targets) > 0 {
			quoted := make([]string, len(sc.Targets))
			for i, t := range sc.Targets {
				quoted[i] = strconv.Quote(t)
			}
			fmt.Fprintf(&b, "    static_configs:\n      - targets: [%s]\n", strings.Join(quoted, ", "))
		}
		if sc.HTTPSDURL != "" {
			fmt.Fprintf(&b, "    http_sd_configs:\n      - url: %s\n", strconv.Quote(sc.HTTPSDURL))
		}
	}
	return b.String()
}

// promDuration formats d the way Prometheus' config accepts (no "1m0s").
func promDuration(d time.Duration) string {
	if d%time.Second != 0 {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}
