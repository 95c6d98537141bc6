package fhir

import (
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/person"
)

// readPatient checks the Patient: an NHS number, a name and a full date of birth at least.
func (in *intake) readPatient() error {
	i := in.patientAt
	pt := &in.patient
	if err := in.decode(i, pt); err != nil {
		return err
	}
	p := entryPath(i)
	nhsAt := -1
	for k, id := range pt.Identifier {
		if id.System == SystemNHSNumber {
			nhsAt, in.nhsNumber = k, id.Value
			break
		}
	}
	if nhsAt < 0 {
		return badRequest("required", p+".identifier", "The Patient needs an NHS number (identifier with system %s)", SystemNHSNumber)
	}
	if len(pt.Name) == 0 || pt.Name[0].Family == "" || len(pt.Name[0].Given) == 0 {
		return badRequest("required", p+".name", "The Patient needs a name with family and given parts")
	}
	if pt.BirthDate == "" {
		return badRequest("required", p+".birthDate", "The Patient needs a birthDate")
	}
	if _, err := time.Parse(person.DateLayout, pt.BirthDate); err != nil {
		return unprocessable("value", p+".birthDate", "birthDate must be a full date, like 1948-03-21")
	}
	if _, ok := genders[pt.Gender]; pt.Gender != "" && !ok {
		return unprocessable("code-invalid", p+".gender", "gender must be male, female, other or unknown")
	}
	for field, path := range map[string]string{
		"nhs_number": fmt.Sprintf(".identifier[%d].value", nhsAt), "given_name": ".name[0].given[0]",
		"family_name": ".name[0].family", "date_of_birth": ".birthDate", "sex": ".gender",
		"postcode": ".address[0].postalCode", "address": ".address[0].line", "phone": ".telecom",
		"email": ".telecom", "practice_ods": ".generalPractitioner[0].identifier.value",
	} {
		in.paths[field] = p + path
	}
	return nil
}

// personInput is the Patient as Linkwell records a person.
func (in *intake) personInput() person.Input {
	pt := in.patient
	name := pt.Name[0]
	dob, _ := time.Parse(person.DateLayout, pt.BirthDate) // checked by readPatient
	out := person.Input{NHSNumber: in.nhsNumber, GivenName: strings.Join(name.Given, " "), FamilyName: name.Family,
		DateOfBirth: person.DateParts{Day: fmt.Sprint(dob.Day()), Month: fmt.Sprint(int(dob.Month())), Year: fmt.Sprint(dob.Year())},
		Sex:         genders[pt.Gender]}
	if len(pt.Address) > 0 {
		a := pt.Address[0]
		out.Postcode = a.PostalCode
		out.Address = strings.Join(append(append([]string{}, a.Line...), a.City), ", ")
		out.Address = strings.Trim(out.Address, ", ")
	}
	for _, t := range pt.Telecom {
		switch {
		case t.System == "phone" && out.Phone == "":
			out.Phone = t.Value
		case t.System == "email" && out.Email == "":
			out.Email = t.Value
		}
	}
	for _, gp := range pt.GeneralPractitioner {
		if gp.Identifier != nil && gp.Identifier.System == SystemODS {
			out.PracticeODS = gp.Identifier.Value
			break
		}
	}
	return out
}
