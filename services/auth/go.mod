module altrepo/services/auth

go 1.26.0

require altrepo/libs v0.0.0

replace altrepo/libs => ../../libs
