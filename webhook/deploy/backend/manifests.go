// Package backend ships the RBAC the KubeDoor backend's identity needs in each cluster
// (rbac.yaml beside this file), for tests and the demo to apply the committed bytes.
package backend

import _ "embed"

// RBAC is rbac.yaml: Namespace kubedoor, ServiceAccount kubedoor-backend, its ClusterRole and
// binding, and the Role and binding for Leases in kubedoor.
//
//go:embed rbac.yaml
var RBAC []byte

// Names of the objects in RBAC.
const (
	Namespace      = "kubedoor"
	ServiceAccount = "kubedoor-backend"
	ClusterRole    = "kubedoor-backend"
)
