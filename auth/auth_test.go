package auth

import (
	"strings"
	"testing"

	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestPolicy(t *testing.T) {
	anon := Principal{}
	agency := Principal{Org: "甲", Role: techmarketv1.Role_ROLE_AGENCY}
	enterprise := Principal{Org: "乙", Role: techmarketv1.Role_ROLE_ENTERPRISE}
	operator := Principal{Org: "运营", Role: techmarketv1.Role_ROLE_OPERATOR}
	draft, published := techmarketv1.ListingState_LISTING_STATE_DRAFT, techmarketv1.ListingState_LISTING_STATE_PUBLISHED
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"anonymous posts offers", CanPost(anon, Offers), false},
		{"agency posts offers", CanPost(agency, Offers), true},
		{"agency posts demands", CanPost(agency, Demands), false},
		{"enterprise posts demands", CanPost(enterprise, Demands), true},
		{"operator posts both", CanPost(operator, Offers) && CanPost(operator, Demands), true},
		{"agency changes its own offer", CanChange(agency, Offers, "甲"), true},
		{"agency changes another's offer", CanChange(agency, Offers, "丙"), false},
		{"agency changes its org's demand", CanChange(agency, Demands, "甲"), false},
		{"operator changes anything", CanChange(operator, Demands, "丙"), true},
		{"anonymous reads published", CanRead(anon, "甲", published), true},
		{"anonymous reads a draft", CanRead(anon, "", draft), false},
		{"owner reads its draft", CanRead(agency, "甲", draft), true},
		{"other reads a draft", CanRead(enterprise, "甲", draft), false},
		{"anonymous sees contacts", SeesContact(anon), false},
		{"signed-in sees contacts", SeesContact(enterprise), true},
		{"agency manages tokens", CanManageTokens(agency), false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestSecrets(t *testing.T) {
	a, hashA := NewSecret()
	b, _ := NewSecret()
	if a == b || !strings.HasPrefix(a, "tmk_") || len(a) < 40 {
		t.Fatalf("secrets %q and %q: want distinct, prefixed, long", a, b)
	}
	if HashSecret(a) != hashA || HashSecret(b) == hashA {
		t.Error("a secret's hash does not identify it")
	}
	for _, name := range []string{"operator", "agency", "enterprise"} {
		r, ok := ParseRole(name)
		if !ok || RoleName(r) != name {
			t.Errorf("role %q round trip: %v %v", name, r, ok)
		}
	}
	if _, ok := ParseRole("admin"); ok {
		t.Error("unknown role accepted")
	}
}
