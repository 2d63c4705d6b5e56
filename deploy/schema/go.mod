module altrepo/deploy/schema

go 1.26.0
