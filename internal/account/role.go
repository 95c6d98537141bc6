// Package account holds Linkwell's users: their roles, passwords, sign-in, sessions and second
// factor.
package account

// Role is what a user does in the service (DESIGN §2). A user may hold several.
type Role string

const (
	Referrer              Role = "referrer"
	OccupationalTherapist Role = "occupational_therapist"
	LinkWorker            Role = "link_worker"
	Supervisor            Role = "supervisor"
	SafeguardingLead      Role = "safeguarding_lead"
	ServiceLead           Role = "service_lead"
	Commissioner          Role = "commissioner"
	CommunityProvider     Role = "community_provider"
	Administrator         Role = "administrator"
)

// Roles lists every role in the order they are shown.
var Roles = []Role{Referrer, OccupationalTherapist, LinkWorker, Supervisor, SafeguardingLead,
	ServiceLead, Commissioner, CommunityProvider, Administrator}

var roleLabels = map[Role]string{
	Referrer:              "Referrer",
	OccupationalTherapist: "Occupational therapist",
	LinkWorker:            "Link worker",
	Supervisor:            "Supervisor",
	SafeguardingLead:      "Safeguarding lead",
	ServiceLead:           "Service lead",
	Commissioner:          "Commissioner",
	CommunityProvider:     "Community provider",
	Administrator:         "Administrator",
}

// Label is the role's name for people.
func (r Role) Label() string {
	if l, ok := roleLabels[r]; ok {
		return l
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	_, ok := roleLabels[r]
	return ok
}

// Clinical reports whether the role is a registered clinical role that may take clinical tasks.
func (r Role) Clinical() bool { return r == OccupationalTherapist }
