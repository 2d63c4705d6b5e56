package authn

import (
	"encoding/json"
	"net/http"
)

// Response messages, identical to the reference implementation's.
const (
	MsgTokenRequired     = "Authentication token is required"
	MsgInvalidToken      = "Invalid token"
	MsgTokenExpired      = "Token expired"
	MsgTokenBlacklisted  = "Token blacklisted"
	MsgAccessDenied      = "Access denied"
	MsgUnauthorized      = "Unauthorized"
	MsgTokenValidation   = "Token validation error"
	MsgAuthorizationFail = "authorization failed"
	MsgNotAdministrator  = "You are not an administrator"
	// MsgUnavailable is ours: the token blacklist could not be checked
	// (Redis down, fail-closed mode).
	MsgUnavailable = "Authentication service unavailable"
)

// Error is an authentication or authorization failure with the HTTP status
// and client-visible message it maps to. Err (never containing the token)
// is for logs only.
type Error struct {
	Status  int
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func fail(status int, msg string, err error) *Error {
	return &Error{Status: status, Message: msg, Err: err}
}

// WriteError writes {"message": msg} with status; no WWW-Authenticate
// header, like the reference.
func WriteError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
