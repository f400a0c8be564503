// A minimal OpenTelemetry Collector, built from the official modules at one
// release (core v0.165.0 / v1.71.0, contrib v0.165.1), with what
// examples/collector/otel-collector.yaml uses. scripts/ensure-otelcol.sh
// builds it; the end-to-end tests run the example config with it. The same
// shape as the output of the Collector builder (ocb), written by hand so it
// builds offline from the Go module proxy alone.
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
			Command:     "otelcol-costctl",
			Description: "OpenTelemetry Collector for costctl's tests: OTLP receiver, batch processor, Prometheus exporter",
			Version:     "0.165.0",
		},
		Factories: components,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				// file: for --config, env: for the ${env:…} references in it.
				ProviderFactories: []confmap.ProviderFactory{fileprovider.NewFactory(), envprovider.NewFactory()},
				DefaultScheme:     "env",
			},
		},
	}
	if err := otelcol.NewCommand(settings).Execute(); err != nil {
		log.Fatalf("collector finished with an error: %v", err)
	}
}
