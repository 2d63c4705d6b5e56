module altrepo/e2e

go 1.26.0

require (
	altrepo/deploy/schema v0.0.0
	altrepo/libs v0.0.0
	altrepo/tools v0.0.0
)

replace (
	altrepo/deploy/schema => ../deploy/schema
	altrepo/libs => ../libs
	altrepo/tools => ../tools
)
