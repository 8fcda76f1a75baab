// Package procmem reads a Linux process's memory figures from
// /proc/PID/status, for the load and benchmark commands.
package procmem

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// Memory is a process's resident memory, in bytes.
type Memory struct {
	RSS  uint64 // VmRSS: resident now
	Peak uint64 // VmHWM: the most resident so far
	// Anon is resident anonymous memory (heap, stacks): what the process
	// holds. File is resident file-backed memory (RssFile plus RssShmem),
	// mostly bleve's memory-mapped segment files, which the kernel may
	// drop at any time and read back on demand.
	Anon, File uint64
}

// Self reads this process's memory.
func Self() (Memory, error) { return read("/proc/self/status") }

// Of reads the memory of process pid.
func Of(pid int) (Memory, error) { return read(fmt.Sprintf("/proc/%d/status", pid)) }

func read(path string) (Memory, error) {
	var m Memory
	data, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	var shmem uint64
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, rest, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		var dst *uint64
		switch string(name) {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.Peak
		case "RssAnon":
			dst = &m.Anon
		case "RssFile":
			dst = &m.File
		case "RssShmem":
			dst = &shmem
		default:
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseUint(string(fields[0]), 10, 64)
		if err != nil {
			return m, fmt.Errorf("procmem: %s: %s: %w", path, name, err)
		}
		if len(fields) > 1 && string(fields[1]) == "kB" {
			n *= 1024
		}
		*dst = n
	}
	m.File += shmem
	return m, nil
}
