package listing

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// ApplyMask copies the fields named by paths from src into dst, as an
// AIP-134 update does: a named field that src leaves unset is cleared in
// dst. Paths are proto field names, dotted into sub-messages
// (`price.max_yuan`). An empty mask means every field a poster may set.
// It fails, changing nothing, when a path is unknown or names a field the
// service sets.
func ApplyMask(dst, src Listing, paths []string) error {
	if len(paths) == 0 {
		fields := dst.ProtoReflect().Descriptor().Fields()
		for i := 0; i < fields.Len(); i++ {
			if fd := fields.Get(i); !outputOnly[fd.Name()] {
				paths = append(paths, string(fd.Name()))
			}
		}
	}
	type step struct {
		parents, leaf []protoreflect.FieldDescriptor
	}
	steps := make([]step, 0, len(paths))
	for _, path := range paths {
		parts := strings.Split(path, ".")
		md := dst.ProtoReflect().Descriptor()
		var chain []protoreflect.FieldDescriptor
		for i, part := range parts {
			fd := md.Fields().ByName(protoreflect.Name(part))
			switch {
			case fd == nil:
				return fmt.Errorf("update_mask: unknown field %q", path)
			case i == 0 && outputOnly[fd.Name()]:
				return fmt.Errorf("update_mask: %q is set by the service and cannot be updated", path)
			case i < len(parts)-1 && (fd.Message() == nil || fd.IsList() || fd.IsMap()):
				return fmt.Errorf("update_mask: %q: %s has no sub-fields", path, part)
			}
			chain = append(chain, fd)
			md = fd.Message()
		}
		steps = append(steps, step{parents: chain[:len(chain)-1], leaf: chain[len(chain)-1:]})
	}
	for _, s := range steps {
		d, sm := dst.ProtoReflect(), src.ProtoReflect()
		srcPresent := true
		for _, fd := range s.parents {
			if srcPresent = sm.Has(fd); srcPresent {
				sm = sm.Get(fd).Message()
			}
			d = d.Mutable(fd).Message()
		}
		leaf := s.leaf[0]
		if srcPresent && sm.Has(leaf) {
			d.Set(leaf, sm.Get(leaf))
		} else {
			d.Clear(leaf)
		}
	}
	return nil
}
