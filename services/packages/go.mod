module altrepo/services/packages

go 1.26.0

require altrepo/libs v0.0.0

replace altrepo/libs => ../../libs

require altrepo/deploy/schema v0.0.0

replace altrepo/deploy/schema => ../../deploy/schema

require altrepo/tools v0.0.0

replace altrepo/tools => ../../tools
