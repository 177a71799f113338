// Command etcd is go.etcd.io/etcd/server/v3's own main (v3.7.0), repeated so
// that `go build ./cmd/...` builds it here (`go install ...@v3.7.0` fails on
// etcd's replace directives).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
