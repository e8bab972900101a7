package fakeclerk

// Seeded identities.
const (
	SeedSignInEmail  = "monitor+clerk_test@example.com"
	SeedResetEmail   = "reset+clerk_test@example.com"
	SeedOAuthEmail   = "oauth+clerk_test@example.com"
	GitHubLinked     = "octo-monitor"
	GitHubNewcomer   = "octo-newcomer" // any login starting with this is a fresh, unlinked account
	GoogleLinked     = "monitor.oauth@gmail.example"
	GoogleNewcomer   = "newcomer.oauth@gmail.example" // any "newcomer*@gmail.example" is a fresh, unlinked account
	googleNewcomerAt = "@gmail.example"
)

// seeds is what the instance starts with, as reported by Info.
type seeds struct {
	users []SeededUser
	oauth []SeededOAuth
	// newcomer passwords for the dynamic accounts
	githubNewcomerPassword, googleNewcomerPassword string
}

// strongPassword looks like a password a person would have generated.
func strongPassword() string {
	return randomAlnum(6) + "-" + randomAlnum(6) + "-" + randomAlnum(6) + "!9a"
}

// seed creates the seeded users and provider accounts.
func (s *Server) seed() {
	now := s.now()
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	mk := func(role, email, password string) *user {
		u := &user{ID: newID("user"), EmailID: newID("idn"), Email: email, Password: password, CreatedAt: now, UpdatedAt: now}
		st.addUser(u)
		s.seeds.users = append(s.seeds.users, SeededUser{Role: role, Email: email, Password: password, UserID: u.ID})
		return u
	}
	mk(RoleSignIn, SeedSignInEmail, strongPassword())
	mk(RolePasswordReset, SeedResetEmail, strongPassword())
	ou := mk(RoleOAuth, SeedOAuthEmail, "")

	s.seeds.githubNewcomerPassword = strongPassword()
	s.seeds.googleNewcomerPassword = strongPassword()
	accounts := []struct {
		provider, login, email, name, password string
		linked                                 *user
	}{
		{"github", GitHubLinked, SeedOAuthEmail, "Octo Monitor", strongPassword(), ou},
		{"github", GitHubNewcomer, "", "Octo Newcomer", s.seeds.githubNewcomerPassword, nil},
		{"google", GoogleLinked, SeedOAuthEmail, "Monitor OAuth", strongPassword(), ou},
		{"google", GoogleNewcomer, "", "New Comer", s.seeds.googleNewcomerPassword, nil},
	}
	for _, a := range accounts {
		acc := newProviderAccount(a.provider, a.login, a.password, a.name, a.email)
		st.accounts[a.provider+":"+a.login] = acc
		linked := ""
		if a.linked != nil {
			linked = a.linked.ID
			a.linked.External = append(a.linked.External, &externalAccount{ID: newID("eac"), Provider: a.provider, Account: acc, CreatedAt: now})
		}
		s.seeds.oauth = append(s.seeds.oauth, SeededOAuth{Provider: a.provider, Username: a.login, Password: a.password, LinkedUserID: linked})
	}
}

// newProviderAccount builds an account. An empty email defaults to the login
// for Google (the login is the address) and to <login>+clerk_test@example.com
// for GitHub.
func newProviderAccount(provider, login, password, name, email string) *providerAccount {
	if email == "" {
		email = login + "+clerk_test@example.com"
		if provider == "google" {
			email = login
		}
	}
	return &providerAccount{Provider: provider, Login: login, Password: password, Email: email, Name: name, UserID: randomDigits(8)}
}

func randomDigits(n int) string {
	b := []byte(randomAlnum(n))
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}

// userCap is the development-instance user limit.
const userCap = 100
