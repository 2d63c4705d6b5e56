// Package apierr holds the error answers of the reference implementation:
// their status codes and JSON bodies.
package apierr

import (
	"errors"
	"fmt"
	"net/http"

	"altrepo/libs/model"
)

// Fixed texts of the reference.
const (
	MsgNotFoundURL     = "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."
	MsgMethod          = "The method is not allowed for the requested URL."
	MsgInputInvalid    = "Input payload validation failed"
	MsgParamsInvalid   = "Request parameters validation error"
	MsgNoData          = "No data found in database for given parameters"
	MsgSQL             = "Error in SQL query!"
	MsgDBConnection    = "Database connection error."
	MsgInternal        = "Internal Server Error"
	MsgBadJSON         = "The browser (or proxy) sent a request that this server could not understand."
	MsgJSONContentType = "Did not attempt to load JSON data because the request Content-Type was not 'application/json'."
)

// Error is an answer other than success. Body is rendered as JSON.
type Error struct {
	Code int
	Body model.Ordered
	// Cause is logged, never sent.
	Cause error
}

func (e *Error) Error() string {
	msg, _ := e.Body.Get("message")
	if e.Cause != nil {
		return fmt.Sprintf("%d %v: %v", e.Code, msg, e.Cause)
	}
	return fmt.Sprintf("%d %v", e.Code, msg)
}

func (e *Error) Unwrap() error { return e.Cause }

// JSON renders the body.
func (e *Error) JSON() []byte { return append(e.Body.AppendJSON(nil), '\n') }

func message(code int, msg string) *Error {
	e := &Error{Code: code}
	e.Body.Set("message", msg)
	return e
}

// Message is an error answer whose body is {"message": msg}.
func Message(code int, msg string) *Error { return message(code, msg) }

// NotFoundURL answers an unknown path.
func NotFoundURL() *Error { return message(http.StatusNotFound, MsgNotFoundURL) }

// MethodNotAllowed answers a known path with a wrong method.
func MethodNotAllowed() *Error { return message(http.StatusMethodNotAllowed, MsgMethod) }

// ParamErrors answers parameters rejected by their parser (all bundled):
// {"errors": {param: text}, "message": "Input payload validation failed"}.
func ParamErrors(errs model.Ordered) *Error {
	e := &Error{Code: http.StatusBadRequest}
	e.Body.Set("errors", errs)
	e.Body.Set("message", MsgInputInvalid)
	return e
}

// UnknownArguments answers undeclared parameters on a strict route.
func UnknownArguments(names string) *Error {
	return message(http.StatusBadRequest, "Unknown arguments: "+names)
}

// Validation answers a failed endpoint check:
// {"message": ..., "args": <parsed args>, "validation_message": [...]}.
func Validation(args any, msgs ...string) *Error {
	e := message(http.StatusBadRequest, MsgParamsInvalid)
	e.Body.Set("args", args)
	if msgs == nil {
		msgs = []string{}
	}
	e.Body.Set("validation_message", msgs)
	return e
}

// Worker is the reference's worker error: {"message": msg, "details": details}.
func Worker(code int, msg string, details model.Ordered) *Error {
	e := message(code, msg)
	if details.Keys == nil {
		details = model.Ordered{Keys: []string{}, Vals: []any{}}
	}
	e.Body.Set("details", details)
	return e
}

// NotFound is the usual "no data" answer, echoing the parsed arguments.
func NotFound(args any) *Error {
	var d model.Ordered
	d.Set("args", args)
	return Worker(http.StatusNotFound, MsgNoData, d)
}

// NotFoundMsg is a 404 worker error with another message.
func NotFoundMsg(msg string, args any) *Error {
	var d model.Ordered
	d.Set("args", args)
	return Worker(http.StatusNotFound, msg, d)
}

// SQL answers a failed database query (cause logged, not sent).
func SQL(cause error) *Error {
	e := Worker(http.StatusInternalServerError, MsgSQL, model.Ordered{})
	e.Cause = cause
	return e
}

// DBConnection answers a database that could not be reached.
func DBConnection(cause error) *Error {
	e := Worker(http.StatusInternalServerError, MsgDBConnection, model.Ordered{})
	e.Cause = cause
	return e
}

// Internal answers an unexpected failure.
func Internal(cause error) *Error {
	e := message(http.StatusInternalServerError, MsgInternal)
	e.Cause = cause
	return e
}

// From converts any error into an answer: *Error passes through, anything
// else is an internal error.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}
