package apierr

import (
	"encoding/json"
	"errors"
	"testing"

	"altrepo/libs/model"
)

func TestBodies(t *testing.T) {
	var args model.Ordered
	args.Set("name", "bash")
	var errs model.Ordered
	errs.Set("branch", "branch name invalid")
	for _, tc := range []struct {
		e    *Error
		code int
		want string
	}{
		{NotFound(args), 404, `{"message":"No data found in database for given parameters","details":{"args":{"name":"bash"}}}`},
		{Validation(args, "bad"), 400, `{"message":"Request parameters validation error","args":{"name":"bash"},"validation_message":["bad"]}`},
		{ParamErrors(errs), 400, `{"errors":{"branch":"branch name invalid"},"message":"Input payload validation failed"}`},
		{UnknownArguments("a, b"), 400, `{"message":"Unknown arguments: a, b"}`},
		{SQL(errors.New("boom")), 500, `{"message":"Error in SQL query!","details":{}}`},
		{NotFoundURL(), 404, `{"message":"` + MsgNotFoundURL + `"}`},
	} {
		got := string(tc.e.JSON())
		if tc.e.Code != tc.code || got != tc.want+"\n" {
			t.Errorf("got %d %s want %d %s", tc.e.Code, got, tc.code, tc.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("invalid JSON %s", got)
		}
	}
	if From(errors.New("x")).Code != 500 || From(NotFound(nil)).Code != 404 {
		t.Error("From")
	}
}
