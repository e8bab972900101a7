package clerk

// The selectors of Clerk's prebuilt UI (@clerk/ui 1.x) that loginprobe's
// flows use, in one place so that a Clerk UI change is a one-line fix. They
// rely on Clerk's stable `cl-` classes (those before the 🔒 separator) and on
// input names (clerk.md §5).
const (
	SelSignInRoot = ".cl-signIn-root"
	SelSignUpRoot = ".cl-signUp-root"

	// SelIdentifier is the sign-in identifier field on the start card.
	SelIdentifier = `.cl-signIn-start input[name=identifier]`
	// SelSignInPassword is scoped to the password card: the start card also
	// holds a hidden password input.
	SelSignInPassword = `.cl-signIn-password input[name=password]`
	// SelPrimaryButton is the card's "Continue" button.
	SelPrimaryButton = `.cl-formButtonPrimary`
	// SelForgotPassword is the "Forgot password?" link on the password card.
	SelForgotPassword = `.cl-signIn-password .cl-formFieldAction__password`
	// SelResetPasswordMethod is the "Reset your password" button on the
	// "Forgot Password?" card: the first of its alternative-method buttons.
	SelResetPasswordMethod = `.cl-alternativeMethodsBlockButton:has([data-localization-key$="blockButton__resetPassword"]), .cl-signIn-forgotPasswordMethods .cl-alternativeMethodsBlockButton`
	// SelNewPassword and SelConfirmPassword are the "Set new password" card's
	// fields; the card has no part class of its own in @clerk/ui 1.36, so
	// the form is found by its confirmPassword field.
	SelNewPassword     = `form:has(input[name=confirmPassword]) input[name=password]`
	SelConfirmPassword = `input[name=confirmPassword]`
	// SelPasswordsMatch is the card's "Passwords match." confirmation.
	SelPasswordsMatch = `.cl-formFieldSuccessText__confirmPassword`

	// SelOTPInput is the one real input of the verification-code field
	// (input-otp); typing six digits submits it.
	SelOTPInput = `input[autocomplete="one-time-code"]`

	SelSignUpEmail    = `.cl-signUp-start input[name=emailAddress]`
	SelSignUpPassword = `.cl-signUp-start input[name=password]`

	// Errors the UI shows: a card-level alert and field-level texts.
	SelAlert      = `.cl-alert`
	SelFieldError = `.cl-formFieldErrorText, .cl-otpCodeFieldErrorText`
)

// SelSocialButton matches the provider's button in both variants (block
// buttons up to two providers, icon buttons beyond).
func SelSocialButton(provider string) string {
	return ".cl-socialButtonsBlockButton__" + provider + ", .cl-socialButtonsIconButton__" + provider
}
