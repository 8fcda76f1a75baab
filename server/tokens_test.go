package server_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/wuhai-techmarket/techmarket/internal/testutil"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

func TestTokens(t *testing.T) {
	env := testutil.Start(t)
	ctx := context.Background()
	operator := env.Client(env.Token("operator", "运营中心"))

	created, err := operator.Tokens.CreateToken(ctx, &techmarketv1.CreateTokenRequest{Organization: "丙研究院", Role: techmarketv1.Role_ROLE_AGENCY})
	if err != nil {
		t.Fatal(err)
	}
	holder := env.Client(created.GetSecret())
	who, err := holder.Tokens.GetCaller(ctx, &techmarketv1.GetCallerRequest{})
	if err != nil || who.GetOrganization() != "丙研究院" || who.GetRole() != techmarketv1.Role_ROLE_AGENCY || who.GetToken() != created.GetToken().GetName() {
		t.Fatalf("GetCaller with the new token: %v %v", who, err)
	}
	createOffer(t, holder, validOffer(), true)

	listed, err := operator.Tokens.ListTokens(ctx, &techmarketv1.ListTokensRequest{})
	if err != nil || len(listed.GetTokens()) != 2 {
		t.Fatalf("ListTokens: %d tokens, %v; want 2", len(listed.GetTokens()), err)
	}

	_, err = holder.Tokens.CreateToken(ctx, &techmarketv1.CreateTokenRequest{Organization: "丁", Role: techmarketv1.Role_ROLE_OPERATOR})
	wantCode(t, err, codes.PermissionDenied)
	_, err = operator.Tokens.CreateToken(ctx, &techmarketv1.CreateTokenRequest{Organization: "", Role: techmarketv1.Role_ROLE_AGENCY})
	wantCode(t, err, codes.InvalidArgument)
	_, err = operator.Tokens.CreateToken(ctx, &techmarketv1.CreateTokenRequest{Organization: "戊"})
	wantCode(t, err, codes.InvalidArgument)

	if _, err := operator.Tokens.RevokeToken(ctx, &techmarketv1.RevokeTokenRequest{Name: created.GetToken().GetName()}); err != nil {
		t.Fatal(err)
	}
	_, err = holder.Tokens.GetCaller(ctx, &techmarketv1.GetCallerRequest{})
	wantCode(t, err, codes.Unauthenticated)
	// Published listings stay readable to anyone; the revoked token is
	// refused rather than treated as anonymous.
	_, err = holder.Offers.ListOffers(ctx, &techmarketv1.ListOffersRequest{})
	wantCode(t, err, codes.Unauthenticated)
	_, err = operator.Tokens.RevokeToken(ctx, &techmarketv1.RevokeTokenRequest{Name: "tokens/0000000000000000"})
	wantCode(t, err, codes.NotFound)
}
