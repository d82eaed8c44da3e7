// envoy-validate judges Envoy bootstrap files with Envoy's own API: the v3 protos and their
// protoc-gen-validate rules, as generated in github.com/envoyproxy/go-control-plane/envoy at the
// version matching the Envoy image withProxy pins (lib/images.ts).
//
// For each YAML (or JSON) file named on the command line, or standard input when none or "-" is
// named, it:
//
//  1. converts YAML to JSON (sigs.k8s.io/yaml);
//  2. unmarshals the JSON into envoy.config.bootstrap.v3.Bootstrap with protojson, unknown fields
//     rejected (DiscardUnknown false), every "@type" resolved against the extension packages
//     imported below (an unknown type URL is an error);
//  3. runs ValidateAll() on the bootstrap and on every message packed in a google.protobuf.Any
//     anywhere inside it (PGV does not look inside Any; Envoy validates each typed config when it
//     instantiates the extension), collecting every violation;
//  4. lists every field or enum value set that Envoy's API marks deprecated.
//
// It prints one JSON array, one object per file: {"file", "valid", "errors", "deprecated"}, and
// exits 1 when any file is invalid, 2 on a usage or read error.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"
	"sigs.k8s.io/yaml"

	// Every extension whose typed config withProxy's bootstrap packs in an Any ("@type"). A type
	// URL not registered here does not resolve, and the file is reported invalid: add the package
	// when the library starts using a new extension.
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/buffer/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/fault/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/local_ratelimit/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/resource_monitors/downstream_connections/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/resource_monitors/fixed_heap/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
)

type result struct {
	File       string   `json:"file"`
	Valid      bool     `json:"valid"`
	Errors     []string `json:"errors"`
	Deprecated []string `json:"deprecated"`
}

func main() {
	files := os.Args[1:]
	if len(files) == 0 {
		files = []string{"-"}
	}
	results := make([]result, 0, len(files))
	allValid := true
	for _, file := range files {
		data, err := read(file)
		if err != nil {
			fmt.Fprintf(os.Stderr, "envoy-validate: %v\n", err)
			os.Exit(2)
		}
		r := check(file, data)
		allValid = allValid && r.Valid
		results = append(results, r)
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	if err := out.Encode(results); err != nil {
		fmt.Fprintf(os.Stderr, "envoy-validate: %v\n", err)
		os.Exit(2)
	}
	if !allValid {
		os.Exit(1)
	}
}

func read(file string) ([]byte, error) {
	if file == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(file)
}

func check(file string, data []byte) result {
	r := result{File: file, Errors: []string{}, Deprecated: []string{}}
	jsonData, err := yaml.YAMLToJSON(data)
	if err != nil {
		r.Errors = append(r.Errors, "yaml: "+err.Error())
		return r
	}
	bootstrap := &bootstrapv3.Bootstrap{}
	options := protojson.UnmarshalOptions{DiscardUnknown: false, Resolver: protoregistry.GlobalTypes}
	if err := options.Unmarshal(jsonData, bootstrap); err != nil {
		r.Errors = append(r.Errors, "proto: "+err.Error())
		return r
	}
	w := &walker{}
	w.message(bootstrap, "", true)
	r.Errors = append(r.Errors, w.errors...)
	sort.Strings(w.deprecated)
	r.Deprecated = append(r.Deprecated, w.deprecated...)
	r.Valid = len(r.Errors) == 0
	return r
}

type walker struct {
	errors     []string
	deprecated []string
}

// message walks the set fields of m: deprecated ones are noted, and each Any is unpacked,
// validated and walked in turn. With validate, m is first checked with its PGV rules
// (ValidateAll), which cover every message embedded in it but stop at an Any.
func (w *walker) message(m proto.Message, at string, validate bool) {
	if v, ok := m.(interface{ ValidateAll() error }); ok && validate {
		if err := v.ValidateAll(); err != nil {
			for _, e := range flatten(err) {
				w.errors = append(w.errors, fmt.Sprintf("%s: %v", where(at, m), e))
			}
		}
	}
	m.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		path := at + "/" + string(fd.Name())
		if opts, ok := fd.Options().(*descriptorpb.FieldOptions); ok && opts.GetDeprecated() {
			w.deprecated = append(w.deprecated, fmt.Sprintf("%s (%s)", path, fd.FullName()))
		}
		switch {
		case fd.IsList():
			list := v.List()
			for i := 0; i < list.Len(); i++ {
				w.value(fd, list.Get(i), fmt.Sprintf("%s/%d", path, i))
			}
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				w.value(fd.MapValue(), mv, path+"/"+k.String())
				return true
			})
		default:
			w.value(fd, v, path)
		}
		return true
	})
}

func (w *walker) value(fd protoreflect.FieldDescriptor, v protoreflect.Value, at string) {
	switch fd.Kind() {
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			if opts, ok := ev.Options().(*descriptorpb.EnumValueOptions); ok && opts.GetDeprecated() {
				w.deprecated = append(w.deprecated, fmt.Sprintf("%s = %s (%s)", at, ev.Name(), ev.FullName()))
			}
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		msg := v.Message().Interface()
		if a, ok := msg.(*anypb.Any); ok {
			inner, err := a.UnmarshalNew()
			if err != nil {
				w.errors = append(w.errors, fmt.Sprintf("%s: %s: %v", at, a.GetTypeUrl(), err))
				return
			}
			w.message(inner, at, true)
			return
		}
		w.message(msg, at, false)
	}
}

func where(at string, m proto.Message) string {
	if at == "" {
		at = "/"
	}
	return fmt.Sprintf("%s (%s)", at, m.ProtoReflect().Descriptor().FullName())
}

// flatten turns PGV's per-package MultiError types (each has AllErrors) into single errors.
func flatten(err error) []error {
	var multi interface{ AllErrors() []error }
	if errors.As(err, &multi) {
		return multi.AllErrors()
	}
	return []error{err}
}
