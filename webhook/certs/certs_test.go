package certs

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestGeneratedChainVerifiesForTheServiceNames(t *testing.T) {
	b, err := Generate(Request{DNSNames: ServiceDNSNames("kubedoor-webhook", "kubedoor"), IPs: []net.IP{net.ParseIP("127.0.0.1")}})
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b.CACert) {
		t.Fatal("CA PEM not parseable")
	}
	pair, err := tls.X509KeyPair(b.ServingCert, b.ServingKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kubedoor-webhook.kubedoor.svc", "127.0.0.1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "evil.example.com", Roots: pool}); err == nil {
		t.Error("certificate must not verify for an unrelated name")
	}
}

func TestGenerateRefusesARequestWithoutNames(t *testing.T) {
	if _, err := Generate(Request{}); err == nil {
		t.Fatal("want an error")
	}
}

func TestReloaderPicksUpARotatedPairAndKeepsTheOldOneOnAHalfWrite(t *testing.T) {
	dir := t.TempDir()
	first, err := Generate(Request{DNSNames: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	r, err := NewReloader(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := r.GetCertificate(nil)

	second, err := Generate(Request{DNSNames: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	// Half-written rotation: new cert, old key. The old pair must keep serving.
	later := time.Now().Add(2 * time.Second)
	if err := os.WriteFile(filepath.Join(dir, "tls.crt"), second.ServingCert, 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(filepath.Join(dir, "tls.crt"), later, later)
	c2, err := r.GetCertificate(nil)
	if err != nil || c2 != c1 {
		t.Fatalf("half-written rotation must keep the previous pair (err=%v)", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.key"), second.ServingKey, 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(filepath.Join(dir, "tls.key"), later, later)
	c3, err := r.GetCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(c3.Certificate[0])
	if leaf.Subject.CommonName != "b" {
		t.Fatalf("want the rotated certificate, got CN %q", leaf.Subject.CommonName)
	}
}
