package fakeclerk

import (
	"strings"
	"time"
)

// JSON shapes of FAPI resources, as clerk-js 6.40 reads them (API version
// 2026-08-20). The caller holds the store lock.

func (s *Server) userJSON(u *user) map[string]any {
	emailVer := map[string]any{"object": "verification_email_code", "id": newID("ver"), "status": "verified", "strategy": "email_code", "attempts": 1, "expire_at": nil}
	linked := []any{}
	external := []any{}
	for _, x := range u.External {
		linked = append(linked, map[string]any{"type": "oauth_" + x.Provider, "id": x.ID})
		external = append(external, externalAccountJSON(u, x))
	}
	return map[string]any{
		"object": "user", "id": u.ID, "external_id": nil,
		"primary_email_address_id": u.EmailID, "primary_phone_number_id": nil, "primary_web3_wallet_id": nil,
		"email_addresses": []any{map[string]any{
			"object": "email_address", "id": u.EmailID, "email_address": u.Email, "reserved": false,
			"verification": emailVer, "linked_to": linked, "matches_sso_connection": false,
			"created_at": ms(u.CreatedAt), "updated_at": ms(u.UpdatedAt),
		}},
		"phone_numbers": []any{}, "web3_wallets": []any{}, "passkeys": []any{},
		"external_accounts": external, "enterprise_accounts": []any{}, "saml_accounts": []any{},
		"organization_memberships": []any{},
		"password_enabled":         u.Password != "", "two_factor_enabled": false, "totp_enabled": false, "backup_code_enabled": false,
		"public_metadata": map[string]any{}, "unsafe_metadata": map[string]any{},
		"username": nil, "first_name": nil, "last_name": nil, "image_url": "", "has_image": false,
		"profile_image_url": "", "last_sign_in_at": ms(u.LastSignInAt), "create_organization_enabled": false,
		"create_organizations_limit": nil, "delete_self_enabled": true, "legal_accepted_at": nil, "timezone": nil,
		"created_at": ms(u.CreatedAt), "updated_at": ms(u.UpdatedAt),
	}
}

func externalAccountJSON(u *user, x *externalAccount) map[string]any {
	first, last, _ := strings.Cut(x.Account.Name, " ")
	return map[string]any{
		"object": "external_account", "id": x.ID, "provider": "oauth_" + x.Provider, "identification_id": x.ID,
		"provider_user_id": x.Account.UserID, "approved_scopes": scopes(x.Provider),
		"email_address": x.Account.Email, "first_name": first, "last_name": last, "avatar_url": "", "image_url": "",
		"username": x.Account.Login, "phone_number": "", "public_metadata": map[string]any{}, "label": nil,
		"verification": map[string]any{"object": "verification_oauth", "id": newID("ver"), "status": "verified",
			"strategy": "oauth_" + x.Provider, "attempts": nil, "expire_at": nil, "error": nil},
		"created_at": ms(x.CreatedAt), "updated_at": ms(x.CreatedAt),
	}
}

func scopes(provider string) string {
	if provider == "google" {
		return "email openid profile"
	}
	return "read:user user:email"
}

func verificationJSON(v *verification) any {
	if v == nil {
		return nil
	}
	m := map[string]any{
		"object": v.Object, "id": v.ID, "status": v.Status, "strategy": v.Strategy,
		"attempts": v.Attempts, "expire_at": ms(v.ExpireAt), "error": nil,
	}
	if v.Err != nil {
		m["error"] = v.Err
	}
	if v.ExternalURL != "" {
		m["external_verification_redirect_url"] = v.ExternalURL
	}
	if strings.HasSuffix(v.Strategy, "_code") && v.Status == "unverified" {
		m["next_action"] = "needs_attempt"
		m["supported_strategies"] = []string{v.Strategy}
	}
	return m
}

// firstFactors are the factors a user can sign in with.
func firstFactors(u *user) []any {
	email := map[string]any{"strategy": "email_code", "safe_identifier": u.Email, "email_address_id": u.EmailID, "primary": true}
	out := []any{}
	if u.Password != "" {
		out = append(out, map[string]any{"strategy": "password"})
	}
	out = append(out, email)
	if u.Password != "" {
		out = append(out, map[string]any{"strategy": "reset_password_email_code", "safe_identifier": u.Email, "email_address_id": u.EmailID, "primary": true})
	}
	for _, x := range u.External {
		out = append(out, map[string]any{"strategy": "oauth_" + x.Provider})
	}
	return out
}

func (s *Server) signInJSON(si *signIn) any {
	if si == nil {
		return nil
	}
	m := map[string]any{
		"object": "sign_in", "id": si.ID, "status": si.Status, "identifier": nilIfEmpty(si.Identifier),
		"supported_identifiers": []string{"email_address"}, "supported_first_factors": []any{}, "supported_second_factors": nil,
		"first_factor_verification": verificationJSON(si.First), "second_factor_verification": verificationJSON(si.Second),
		"created_session_id": nilIfEmpty(si.CreatedSessionID),
		"user_data":          map[string]any{"first_name": nil, "last_name": nil, "image_url": "", "has_image": false},
		"client_trust_state": nilIfEmpty(si.TrustState), "protect_check": nil, "timezone": nil,
		"abandon_at": si.CreatedAt.Add(24 * time.Hour).UnixMilli(),
	}
	if u := s.store.users[si.UserID]; u != nil {
		m["supported_first_factors"] = firstFactors(u)
		if si.Status == "needs_client_trust" || si.Status == "needs_second_factor" {
			m["supported_second_factors"] = []any{map[string]any{"strategy": "email_code", "safe_identifier": u.Email, "email_address_id": u.EmailID, "primary": true}}
		}
	}
	return m
}

func (s *Server) signUpJSON(su *signUp) any {
	if su == nil {
		return nil
	}
	unverified := []string{}
	if su.EmailVer != nil && su.EmailVer.Status != "verified" && su.Status != "complete" {
		unverified = append(unverified, "email_address")
	}
	missing := []string{}
	if su.Status != "complete" && su.Pending == nil {
		if su.EmailAddress == "" {
			missing = append(missing, "email_address")
		}
		if su.Password == "" {
			missing = append(missing, "password")
		}
	}
	return map[string]any{
		"object": "sign_up", "id": su.ID, "status": su.Status,
		"required_fields": []string{"email_address", "password"}, "optional_fields": []string{},
		"missing_fields": missing, "unverified_fields": unverified,
		"verifications": map[string]any{
			"email_address": verificationJSON(su.EmailVer), "phone_number": nil, "web3_wallet": nil,
			"external_account": verificationJSON(su.ExternalVer),
		},
		"username": nil, "email_address": nilIfEmpty(su.EmailAddress), "phone_number": nil, "web3_wallet": nil,
		"has_password": su.Password != "", "first_name": nil, "last_name": nil, "unsafe_metadata": map[string]any{},
		"public_metadata": map[string]any{}, "custom_action": false, "external_id": nil,
		"created_session_id": nilIfEmpty(su.CreatedSessionID), "created_user_id": nilIfEmpty(su.CreatedUserID),
		"abandon_at": su.CreatedAt.Add(24 * time.Hour).UnixMilli(), "legal_accepted_at": nil,
		"locale": nil, "timezone": nil, "protect_check": nil,
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
