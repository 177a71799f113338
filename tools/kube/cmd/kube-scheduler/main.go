// Command kube-scheduler is upstream's k8s.io/kubernetes/cmd/kube-scheduler main (v1.37.2),
// repeated so that `go build ./cmd/...` builds it against this module's pinned
// staging versions (`go install k8s.io/kubernetes/cmd/...@v1.37.2` fails on
// upstream's replace directives). Keep the blank imports in step with upstream.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // JSON log format (--logging-format=json)
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() {
	os.Exit(cli.Run(app.NewSchedulerCommand()))
}
