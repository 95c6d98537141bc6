package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/person"
)

// What the demo's cases hold once they are under way: what matters to the person, a plan,
// contacts (some joint, some failed), connections at every stage, and a few cases on hold or
// closed. The words are the kind a link worker writes; the people are not real.

var whatMatters = []struct {
	own, strengths, wants string
	barriers              []string
}{
	{"I want to get back to the allotment. Since the fall I have not been out of the house much.", "Green fingers; knows the neighbours well", "To feel steady on my feet and see people again", []string{"physical", "emotional"}},
	{"Since my wife died the days are long. I would like something to look forward to.", "Good with his hands; used to run the church quiz", "Company, and a reason to get dressed in the morning", []string{"emotional", "social"}},
	{"The bills are piling up and I cannot sleep for worrying about them.", "Organised; keeps every letter", "To understand what I owe and what help I can get", []string{"financial", "digital"}},
	{"I look after my mum and never get a minute for myself.", "Patient, caring, very resourceful", "A break now and then, and someone who understands", []string{"social"}},
	{"I would like to move more but I get breathless and I am embarrassed at the gym.", "Determined once she starts something", "A gentle activity with people like me", []string{"physical", "emotional", "transport"}},
	{"I have just moved here and do not know anyone.", "Speaks three languages; a trained cook", "To make friends and practise my English", []string{"social", "transport"}},
}

var goals = [][2]string{
	{"Walk to the corner shop on my own", "Practise the walk with the link worker twice"},
	{"Go to a group once a week", "Try the Tuesday lunch club with the link worker"},
	{"Sort out my money worries", "Book an appointment with the debt advice service"},
	{"Have a regular break from caring", "Ask the carers' centre about a sitting service"},
	{"Get out in the fresh air more", "Join the health walk from the park gates"},
	{"Feel less alone in the evenings", "Sign up for the befriending phone calls"},
}

var activities = [][2]string{
	{"Tuesday lunch club", "St Mary's Community Hall"},
	{"Health walk from the park gates", "Riverside Walking for Health"},
	{"Debt and benefits advice", "Citizens Advice Riverside"},
	{"Community garden volunteers", "Greenway Allotments Trust"},
	{"Chair-based exercise", "Riverside Leisure Centre"},
	{"Befriending phone calls", "Age Friendly Riverside"},
	{"Carers' coffee morning", "Riverside Carers Centre"},
	{"Conversation café", "Riverside Library"},
}

// connectionPaths are how far each demo connection gets, from its first status on.
var connectionPaths = [][]casework.ConnectionStatus{
	{casework.ConnSuggested},
	{casework.ConnReferred},
	{casework.ConnReferred, casework.ConnAccepted},
	{casework.ConnReferred, casework.ConnAccepted, casework.ConnFirstAttended},
	{casework.ConnReferred, casework.ConnAccepted, casework.ConnFirstAttended, casework.ConnAttending},
	{casework.ConnSuggested, casework.ConnFirstAttended, casework.ConnCompleted},
	{casework.ConnReferred, casework.ConnAccepted, casework.ConnDidNotAttend},
	{casework.ConnReferred, casework.ConnNoCapacity},
	{casework.ConnSuggested, casework.ConnDeclined},
}

func dateParts(t time.Time) person.DateParts {
	return person.DateParts{Day: fmt.Sprint(t.Day()), Month: fmt.Sprint(int(t.Month())), Year: fmt.Sprint(t.Year())}
}

// fillCase records the work on a newly opened case by its lead, as far along as i puts it:
// every case gets contacts; most what matters and a plan; many connections; one in ten is
// put on hold and one in ten closes.
func fillCase(ctx context.Context, d Casework, rng *rand.Rand, k casework.Case, lead account.User, i int) error {
	actor := account.Actor(lead, "demo")
	if err := addContacts(ctx, d, rng, k, actor, i); err != nil {
		return err
	}
	stage := i % 10
	if stage == 0 {
		return nil // just started: contacts only
	}
	wm := whatMatters[i%len(whatMatters)]
	if _, err := d.Cases.SaveWhatMatters(ctx, actor, k.ID, casework.WhatMattersInput{OwnWords: wm.own,
		Strengths: wm.strengths, Wants: wm.wants, Barriers: wm.barriers}); err != nil {
		return fmt.Errorf("what matters: %w", err)
	}
	now := time.Now()
	for g := range 1 + i%2 {
		goal := goals[(i+g)%len(goals)]
		added, err := d.Cases.AddGoal(ctx, actor, k.ID, casework.GoalInput{Text: goal[0], Target: dateParts(now.AddDate(0, 2+g, 0))})
		if err != nil {
			return fmt.Errorf("goal: %w", err)
		}
		if _, err := d.Cases.AddAction(ctx, actor, added.ID, casework.ActionInput{Text: goal[1], Owner: casework.OwnerWorker,
			OwnerUserID: lead.ID, Due: dateParts(now.AddDate(0, 0, 7+rng.IntN(21)))}); err != nil {
			return fmt.Errorf("action: %w", err)
		}
		if _, err := d.Cases.AddAction(ctx, actor, added.ID, casework.ActionInput{Text: "Tell the link worker how it went",
			Owner: casework.OwnerPerson, Due: dateParts(now.AddDate(0, 0, 14+rng.IntN(21)))}); err != nil {
			return fmt.Errorf("action: %w", err)
		}
	}
	if stage >= 3 {
		for c := range 1 + i%3 {
			if err := addConnection(ctx, d, k, actor, (i+c)%len(activities), connectionPaths[(i+c*4)%len(connectionPaths)]); err != nil {
				return err
			}
		}
	}
	if err := recordMeasures(ctx, d, k, lead, i, stage); err != nil {
		return err
	}
	return settle(ctx, d, k, actor, stage)
}

// addContacts records one to four contacts over the last fortnight: a failed phone attempt now
// and then, and a joint home visit when the case has two workers.
func addContacts(ctx context.Context, d Casework, rng *rand.Rand, k casework.Case, actor audit.Actor, i int) error {
	var team []int64
	for _, w := range k.Team {
		if w.Current() {
			team = append(team, w.UserID)
		}
	}
	lead, _ := k.Lead()
	n := 1 + i%4
	for c := range n {
		at := time.Now().Add(-time.Duration(14-c*3) * 24 * time.Hour)
		in := casework.ContactInput{Date: dateParts(at), Time: fmt.Sprintf("%02d:%02d", 9+rng.IntN(7), 15*rng.IntN(4)),
			Type: casework.ContactPhone, Minutes: fmt.Sprint(10 + 5*rng.IntN(6)), WorkerIDs: []int64{lead.UserID},
			Note: "Talked through how the week has gone and what to try next."}
		switch {
		case c == 0 && i%5 == 1:
			in.Failed, in.Minutes, in.Note = true, "", "No answer; left a voicemail."
		case c == 1 && len(team) > 1:
			in.Type, in.WorkerIDs, in.Minutes = casework.ContactHomeVisit, team, "60"
			in.Note = "Joint home visit with the occupational therapist: looked at getting in and out safely and what matters."
		case c == 2:
			in.Type, in.Minutes = casework.ContactAccompanied, "90"
			in.Note = "Went along to the first session together."
		}
		if _, err := d.Cases.RecordContact(ctx, actor, k.ID, in); err != nil {
			return fmt.Errorf("contact: %w", err)
		}
	}
	return nil
}

func addConnection(ctx context.Context, d Casework, k casework.Case, actor audit.Actor, a int, path []casework.ConnectionStatus) error {
	cn, err := d.Cases.AddConnection(ctx, actor, k.ID, casework.ConnectionInput{Activity: activities[a][0],
		Organisation: activities[a][1], Status: path[0], FirstSessionHelp: a%2 == 0,
		FirstSessionNote: "Link worker to meet them at the door for the first session."})
	if err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	version := cn.Version
	for _, to := range path[1:] {
		if err := d.Cases.MoveConnection(ctx, actor, cn.ID, to, "", version); err != nil {
			return fmt.Errorf("connection to %s: %w", to, err)
		}
		version++
	}
	return nil
}

// settle puts one case in ten on hold and closes one in ten, the rest staying active.
func settle(ctx context.Context, d Casework, k casework.Case, actor audit.Actor, stage int) error {
	fresh, err := d.Cases.Get(ctx, k.ID)
	if err != nil {
		return err
	}
	switch stage {
	case 8:
		return d.Cases.Hold(ctx, actor, k.ID, fresh.Version, "unwell_or_in_hospital")
	case 9:
		return d.Cases.Close(ctx, actor, k.ID, fresh.Version, "goals_met",
			"Goes to the lunch club every week and has made two friends there; feels less lonely and more confident going out.")
	}
	return nil
}
