package fakeclerk

import "strings"

// ApplicationName is the app name shown by Clerk's components.
const ApplicationName = "Loginprobe Demo"

// environmentJSON is GET /v1/environment of a freshly created development
// instance: email + password, email codes, GitHub and Google, Device Trust,
// test mode on, bot protection off (unless bot_protection_no_token).
func (s *Server) environmentJSON(base string) map[string]any {
	botProtection := s.faults.Active(FaultBotProtectionNoToken)
	var captchaKey any
	var captchaWidget any
	if botProtection {
		captchaKey, captchaWidget = "1x00000000000000000000AA", "smart"
	}
	return map[string]any{
		"object": "environment", "id": "env_loginprobe_local",
		"auth_config": map[string]any{
			"object": "auth_config", "id": "aac_loginprobe_local", "single_session_mode": true,
			"claimed_at": nil, "reverification": true, "test_mode": !s.faults.Active(FaultTestModeOff),
			"client_trust": true,
		},
		"display_config": s.displayConfig(base, captchaKey, captchaWidget),
		"user_settings":  s.userSettings(botProtection),
		"organization_settings": map[string]any{
			"enabled": false, "max_allowed_memberships": 5, "force_organization_selection": false,
			"actions": map[string]any{"admin_delete": true}, "domains": map[string]any{"enabled": false, "enrollment_modes": []any{}, "default_role": nil},
			"slug": map[string]any{"disabled": false},
		},
		"commerce_settings": map[string]any{"billing": map[string]any{
			"stripe_publishable_key": nil,
			"organization":           map[string]any{"enabled": false, "has_paid_plans": false},
			"user":                   map[string]any{"enabled": false, "has_paid_plans": false},
		}},
		"api_keys_settings":   map[string]any{"enabled": false},
		"protect_config":      map[string]any{"object": "protect_config", "id": "pc_loginprobe_local", "loaders": []any{}},
		"maintenance_mode":    false,
		"client_debug_mode":   false,
		"partitioned_cookies": false,
	}
}

func (s *Server) displayConfig(base string, captchaKey, captchaWidget any) map[string]any {
	signIn, signUp, home := base+"/sign-in", base+"/sign-up", base+"/"
	return map[string]any{
		"object": "display_config", "id": "display_config_loginprobe_local",
		"instance_environment_type": "development", "application_name": ApplicationName,
		"theme": map[string]any{
			"buttons": map[string]any{"font_color": "#ffffff", "font_family": "\"Inter\", sans-serif", "font_weight": "600"},
			"general": map[string]any{"color": "#6c47ff", "padding": "1em", "box_shadow": "0 2px 8px rgba(0, 0, 0, 0.2)",
				"font_color": "#151515", "font_family": "\"Inter\", sans-serif", "border_radius": "0.5em",
				"background_color": "#ffffff", "label_font_weight": "600"},
			"accounts": map[string]any{"background_color": "#f2f2f2"},
		},
		"preferred_sign_in_strategy": "password", "logo_image_url": "", "favicon_image_url": "",
		"home_url": home, "sign_in_url": signIn, "sign_up_url": signUp, "user_profile_url": base + "/user",
		"waitlist_url": base + "/waitlist", "after_sign_in_url": home, "after_sign_up_url": home,
		"after_sign_out_one_url": signIn, "after_sign_out_all_url": signIn, "after_switch_session_url": home,
		"after_join_waitlist_url": home, "organization_profile_url": base + "/organization",
		"create_organization_url": base + "/create-organization", "after_leave_organization_url": home,
		"after_create_organization_url": home, "support_email": nil, "branded": false, "experimental_force_oauth_first": false,
		"clerk_js_version": ClerkJSVersion, "show_devmode_warning": false, "google_one_tap_client_id": nil,
		"help_url": nil, "privacy_policy_url": "", "terms_url": "", "logo_link_url": home, "logo_url": nil,
		"favicon_url": nil, "captcha_public_key": captchaKey, "captcha_widget_type": captchaWidget,
		"captcha_public_key_invisible": nil, "captcha_provider": "turnstile", "captcha_oauth_bypass": []string{"oauth_google", "oauth_microsoft", "oauth_apple"},
		"captcha_heartbeat": false,
	}
}

// userSettings is user_settings, without Google under google_disabled.
func (s *Server) userSettings(captcha bool) map[string]any {
	us := userSettingsOf(captcha)
	if s.faults.Active(FaultGoogleDisabled) {
		delete(us["social"].(map[string]any), "oauth_google")
	}
	return us
}

func userSettingsOf(captcha bool) map[string]any {
	off := func() map[string]any {
		return map[string]any{"enabled": false, "required": false, "used_for_first_factor": false, "first_factors": []any{},
			"used_for_second_factor": false, "second_factors": []any{}, "verifications": []any{}, "verify_at_sign_up": false}
	}
	social := func(strategy, name string) map[string]any {
		return map[string]any{"enabled": true, "required": false, "authenticatable": true, "block_email_subaddresses": false,
			"strategy": strategy, "not_selectable": false, "deprecated": false, "name": name,
			"logo_url": "https://img.clerk.com/static/" + strings.ToLower(name) + ".svg"}
	}
	return map[string]any{
		"attributes": map[string]any{
			"email_address": map[string]any{"enabled": true, "required": true, "used_for_first_factor": true,
				"first_factors": []string{"email_code"}, "used_for_second_factor": false, "second_factors": []any{},
				"verifications": []string{"email_code"}, "verify_at_sign_up": true},
			"password": map[string]any{"enabled": true, "required": true, "used_for_first_factor": false, "first_factors": []any{},
				"used_for_second_factor": false, "second_factors": []any{}, "verifications": []any{}, "verify_at_sign_up": false},
			"phone_number": off(), "username": off(), "web3_wallet": off(), "first_name": off(), "last_name": off(),
			"authenticator_app": off(), "backup_code": off(), "passkey": off(),
		},
		"sign_in": map[string]any{"second_factor": map[string]any{"required": false, "enabled": false}},
		"sign_up": map[string]any{"captcha_enabled": captcha, "captcha_widget_type": "smart", "custom_action_required": false,
			"progressive": true, "mode": "public", "legal_consent_enabled": false, "allowlist_only": false,
			"mfa": map[string]any{"required": false}},
		"restrictions": map[string]any{"allowlist": map[string]any{"enabled": false}, "blocklist": map[string]any{"enabled": false},
			"block_email_subaddresses": map[string]any{"enabled": false}, "block_disposable_email_domains": map[string]any{"enabled": false}},
		"social": map[string]any{
			"oauth_github": social("oauth_github", "GitHub"),
			"oauth_google": social("oauth_google", "Google"),
		},
		"password_settings": map[string]any{"disable_hibp": false, "min_length": 8, "max_length": 72,
			"require_special_char": false, "require_numbers": false, "require_uppercase": false, "require_lowercase": false,
			"show_zxcvbn": false, "min_zxcvbn_strength": 0, "enforce_hibp_on_sign_in": false,
			"allowed_special_characters": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"},
		"passkey_settings":  map[string]any{"allow_autofill": false, "show_sign_in_button": false},
		"username_settings": map[string]any{"min_length": 4, "max_length": 64},
		"attack_protection": map[string]any{
			"user_lockout":           map[string]any{"enabled": true, "max_attempts": lockoutAttempts, "duration_in_minutes": 60},
			"pii":                    map[string]any{"enabled": true},
			"email_link":             map[string]any{"require_same_client": false},
			"enumeration_protection": map[string]any{"enabled": false},
		},
		"enterprise_sso": map[string]any{"enabled": false},
		"actions":        map[string]any{"delete_self": true, "create_organization": false},
	}
}
