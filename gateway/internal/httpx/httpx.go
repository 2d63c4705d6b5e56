// Package httpx holds the small HTTP helpers the gateway's packages share.
package httpx

import (
	"encoding/json"
	"net/http"
)

// NotFoundMessage is the reference's body text for unknown paths.
const NotFoundMessage = "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."

// JSON writes v as a JSON response with the given status code.
func JSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"message": "Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

// Message writes the reference's error envelope {"message": msg}.
func Message(w http.ResponseWriter, code int, msg string) {
	JSON(w, code, map[string]string{"message": msg})
}

// NotFound answers 404 with the reference's body.
func NotFound(w http.ResponseWriter) {
	Message(w, http.StatusNotFound, NotFoundMessage)
}
