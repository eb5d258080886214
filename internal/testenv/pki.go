package testenv

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CA is a throwaway certificate authority. The cluster trusts it for client certificates, and
// tests use it to sign webhook serving certificates the apiserver will accept via caBundle.
type CA struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
	KeyPEM  []byte
}

// CertSpec describes a certificate to issue. Hosts are IP addresses or DNS names for the SAN.
type CertSpec struct {
	CommonName   string
	Organization []string
	Hosts        []string
	Server       bool
	Client       bool
}

// certValidity is a year so a demo cluster left running does not expire under its users.
const certValidity = 365 * 24 * time.Hour

// NewCA creates a self-signed CA with an ECDSA P-256 key (fast to generate, accepted by every
// Kubernetes component including as service-account signing key).
func NewCA(commonName string) (*CA, error) {
	key, keyPEM, err := newKey()
	if err != nil {
		return nil, err
	}
	tmpl, err := certTemplate(commonName, nil)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("self-signing CA %q: %w", commonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing CA %q: %w", commonName, err)
	}
	return &CA{Cert: cert, Key: key, CertPEM: pemBlock("CERTIFICATE", der), KeyPEM: keyPEM}, nil
}

// Issue signs a new key pair for spec and returns both in PEM.
func (ca *CA) Issue(spec CertSpec) (certPEM, keyPEM []byte, err error) {
	key, keyPEM, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	tmpl, err := certTemplate(spec.CommonName, spec.Organization)
	if err != nil {
		return nil, nil, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	for _, h := range spec.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	if spec.Server {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	if spec.Client {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("signing certificate %q: %w", spec.CommonName, err)
	}
	return pemBlock("CERTIFICATE", der), keyPEM, nil
}

// IssueServing signs a serving certificate for hosts (e.g. "127.0.0.1", "localhost"), as a
// webhook needs.
func (ca *CA) IssueServing(hosts ...string) (certPEM, keyPEM []byte, err error) {
	cn := "testenv-server"
	if len(hosts) > 0 {
		cn = hosts[0]
	}
	return ca.Issue(CertSpec{CommonName: cn, Hosts: hosts, Server: true})
}

func newKey() (crypto.Signer, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding key: %w", err)
	}
	return key, pemBlock("PRIVATE KEY", der), nil
}

func certTemplate(cn string, org []string) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("generating serial: %w", err)
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: org},
		NotBefore:    now.Add(-time.Hour), // tolerate small clock differences
		NotAfter:     now.Add(certValidity),
	}, nil
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// clusterPKI holds the paths of the files the components read, plus the admin credentials
// clients use.
type clusterPKI struct {
	ca                       *CA
	caCert, caKey            string
	apiserverCert, apiserver string // cert, key
	frontProxyCert           string
	frontProxyKey            string
	saKey, saPub             string
	tokens                   string
	adminCertPEM, adminKey   []byte
	adminToken               string
}

// writeClusterPKI generates the cluster's certificates into dir: CA, apiserver serving cert,
// admin client cert (system:masters), front-proxy client cert (requestheader auth, so aggregated
// APIs work and controllers stop warning), a service-account key pair and a static admin token
// for curl-style access.
func writeClusterPKI(dir string) (*clusterPKI, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating pki dir: %w", err)
	}
	ca, err := NewCA("kubedoor-testenv-ca")
	if err != nil {
		return nil, err
	}
	p := &clusterPKI{ca: ca}
	files := map[string][]byte{"ca.crt": ca.CertPEM, "ca.key": ca.KeyPEM}

	issue := func(name string, spec CertSpec) ([]byte, []byte, error) {
		certPEM, keyPEM, err := ca.Issue(spec)
		if err != nil {
			return nil, nil, fmt.Errorf("issuing %s certificate: %w", name, err)
		}
		files[name+".crt"], files[name+".key"] = certPEM, keyPEM
		return certPEM, keyPEM, nil
	}
	if _, _, err := issue("apiserver", CertSpec{
		CommonName: "kube-apiserver", Server: true,
		Hosts: []string{"127.0.0.1", "localhost", serviceIP, "kubernetes", "kubernetes.default",
			"kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
	}); err != nil {
		return nil, err
	}
	if p.adminCertPEM, p.adminKey, err = issue("admin", CertSpec{
		CommonName: "kubedoor-testenv-admin", Organization: []string{"system:masters"}, Client: true,
	}); err != nil {
		return nil, err
	}
	if _, _, err := issue("front-proxy-client", CertSpec{CommonName: frontProxyName, Client: true}); err != nil {
		return nil, err
	}

	saKey, saKeyPEM, err := newKey()
	if err != nil {
		return nil, fmt.Errorf("service-account key: %w", err)
	}
	saPubDER, err := x509.MarshalPKIXPublicKey(saKey.Public())
	if err != nil {
		return nil, fmt.Errorf("encoding service-account public key: %w", err)
	}
	files["sa.key"], files["sa.pub"] = saKeyPEM, pemBlock("PUBLIC KEY", saPubDER)

	token, err := randomHex(16)
	if err != nil {
		return nil, err
	}
	p.adminToken = token
	files["tokens.csv"] = fmt.Appendf(nil, "%s,kubedoor-testenv-token,uid-testenv-token,\"system:masters\"\n", token)

	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return nil, fmt.Errorf("writing %s: %w", name, err)
		}
	}
	at := func(name string) string { return filepath.Join(dir, name) }
	p.caCert, p.caKey = at("ca.crt"), at("ca.key")
	p.apiserverCert, p.apiserver = at("apiserver.crt"), at("apiserver.key")
	p.frontProxyCert, p.frontProxyKey = at("front-proxy-client.crt"), at("front-proxy-client.key")
	p.saKey, p.saPub = at("sa.key"), at("sa.pub")
	p.tokens = at("tokens.csv")
	return p, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return fmt.Sprintf("%x", b), nil
}

// VerifyServing checks that certPEM (a serving certificate) verifies for host against the CA in
// caPEM, as a TLS client of the webhook would.
func VerifyServing(caPEM, certPEM []byte, host string) error {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return fmt.Errorf("the CA bundle holds no PEM certificate")
	}
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return fmt.Errorf("tls.crt is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return fmt.Errorf("tls.crt: %w", err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: host}); err != nil {
		return fmt.Errorf("serving certificate does not verify for %s: %w", host, err)
	}
	return nil
}
