package migrate

import (
	"fmt"
	"reflect"
)

func newOf(t reflect.Type) any { return reflect.New(t).Interface() }

func deref(v any) string { return fmt.Sprint(reflect.ValueOf(v).Elem().Interface()) }
