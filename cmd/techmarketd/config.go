package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
)

// configFlag is the flag naming the configuration file; the file cannot
// set it itself.
const configFlag = "config"

// applyConfig sets the flags of fs from the configuration file at path
// ("" for none), after the command line was parsed into fs: a flag the
// command line set keeps its value, and every line of the file naming it
// is skipped, repeatable ones too, so that the command line wins whole.
//
// The file is one setting a line, "name = value", the name a flag's
// without its dashes and the value as the command line takes it; blank
// lines and lines starting with # are skipped. A boolean flag may stand
// alone ("demo"), as on the command line. A name given again sets the
// flag again: repeatable flags (tune, cors-origin) collect every value,
// the others keep the last, as with the command line.
//
// It works on whatever fs holds, so every flag is configurable without a
// list to keep in step with the flags.
func applyConfig(fs *flag.FlagSet, path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: reading the configuration: %v", errUsage, err)
	}
	defer f.Close()
	onCommandLine := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { onCommandLine[fl.Name] = true })
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 {
			// Editors on Windows start UTF-8 files with a byte-order mark.
			line = strings.TrimPrefix(line, "\ufeff")
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, hasValue := strings.Cut(line, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		fl := fs.Lookup(name)
		if fl == nil || name == configFlag {
			return fmt.Errorf("%w: %s:%d: unknown setting %q; the settings are %s's flags, without dashes: %s",
				errUsage, path, n, name, fs.Name(), strings.Join(configurable(fs), ", "))
		}
		if !hasValue {
			if !isBool(fl) {
				return fmt.Errorf("%w: %s:%d: %s needs a value: write %q", errUsage, path, n, name, name+" = VALUE")
			}
			value = "true"
		}
		if onCommandLine[name] {
			continue
		}
		if err := fs.Set(name, value); err != nil {
			_, usage := flag.UnquoteUsage(fl)
			return fmt.Errorf("%w: %s:%d: bad value %q for %s: %v; %s is: %s", errUsage, path, n, value, name, err, name, usage)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: reading the configuration %s: %v", errUsage, path, err)
	}
	return nil
}

// configurable lists the names a configuration file may set, sorted.
func configurable(fs *flag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(fl *flag.Flag) {
		if fl.Name != configFlag {
			names = append(names, fl.Name)
		}
	})
	return names
}

// isBool reports whether fl is a boolean flag, one the command line lets
// stand without a value.
func isBool(fl *flag.Flag) bool {
	b, ok := fl.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
