// Command printversion prints version.String(), so the test can link a version in and read it back.
package main

import (
	"fmt"

	"github.com/kubedoor/kubedoor-grafana/internal/version"
)

func main() { fmt.Println(version.String()) }
