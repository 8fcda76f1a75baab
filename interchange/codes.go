package interchange

import techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"

// The closed code sets of the format, both ways. Industry codes are an open
// table (industries.tsv) and are checked by the validator instead.
var (
	regions = map[string]techmarketv1.Region{
		"wuhai":          techmarketv1.Region_REGION_WUHAI,
		"inner-mongolia": techmarketv1.Region_REGION_INNER_MONGOLIA,
		"domestic":       techmarketv1.Region_REGION_DOMESTIC,
		"international":  techmarketv1.Region_REGION_INTERNATIONAL,
	}
	transferModes = map[string]techmarketv1.TransferMode{
		"assignment":        techmarketv1.TransferMode_TRANSFER_MODE_ASSIGNMENT,
		"license":           techmarketv1.TransferMode_TRANSFER_MODE_LICENSE,
		"equity":            techmarketv1.TransferMode_TRANSFER_MODE_EQUITY,
		"joint-development": techmarketv1.TransferMode_TRANSFER_MODE_JOINT_DEVELOPMENT,
		"service":           techmarketv1.TransferMode_TRANSFER_MODE_SERVICE,
	}
	ownerTypes = map[string]techmarketv1.OwnerType{
		"university": techmarketv1.OwnerType_OWNER_TYPE_UNIVERSITY,
		"institute":  techmarketv1.OwnerType_OWNER_TYPE_INSTITUTE,
		"enterprise": techmarketv1.OwnerType_OWNER_TYPE_ENTERPRISE,
		"individual": techmarketv1.OwnerType_OWNER_TYPE_INDIVIDUAL,
	}
	patentTypes = map[string]techmarketv1.PatentType{
		"invention": techmarketv1.PatentType_PATENT_TYPE_INVENTION,
		"utility":   techmarketv1.PatentType_PATENT_TYPE_UTILITY,
		"design":    techmarketv1.PatentType_PATENT_TYPE_DESIGN,
		"software":  techmarketv1.PatentType_PATENT_TYPE_SOFTWARE,
	}
)

// RegionFromCode maps a format code such as "inner-mongolia" to the API enum.
func RegionFromCode(code string) (techmarketv1.Region, bool) {
	r, ok := regions[code]
	return r, ok
}

// RegionCode maps the API enum back to its format code; "" for unspecified.
func RegionCode(r techmarketv1.Region) string { return codeOf(regions, r) }

// TransferModeFromCode maps a format code such as "joint-development" to the API enum.
func TransferModeFromCode(code string) (techmarketv1.TransferMode, bool) {
	m, ok := transferModes[code]
	return m, ok
}

// TransferModeCode maps the API enum back to its format code.
func TransferModeCode(m techmarketv1.TransferMode) string { return codeOf(transferModes, m) }

func codeOf[E comparable](table map[string]E, v E) string {
	for code, e := range table {
		if e == v {
			return code
		}
	}
	return ""
}
