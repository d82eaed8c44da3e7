// Command otelcol is an OpenTelemetry Collector built from exactly the components that
// withTelemetry writes into its configuration, at the versions of the pinned image
// (lib/engine/images.ts, OTEL_COLLECTOR_IMAGE). The suites in test/real/ run
// `otelcol validate --config=<file>` on every configuration the library renders: the
// collector's own config unmarshalling and each component's Validate() judge it.
package main

import (
	"log"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/otelcol"
)

func main() {
	settings := otelcol.CollectorSettings{
		BuildInfo: component.BuildInfo{
			Command:     "otelcol",
			Description: "OpenTelemetry Collector with the components of cdk8s-sidecars' withTelemetry",
			Version:     "0.162.0",
		},
		Factories: components,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				ProviderFactories: []confmap.ProviderFactory{
					envprovider.NewFactory(),
					fileprovider.NewFactory(),
				},
				DefaultScheme: "env",
			},
		},
	}
	if err := otelcol.NewCommand(settings).Execute(); err != nil {
		log.Fatal(err)
	}
}
