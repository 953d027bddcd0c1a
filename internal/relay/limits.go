package relay

// MaxNoteRunes caps the free text a person writes into a task: a progress note, an
// extension's reason, a decision's opinion, a completion note. A task carries its notes
// in its state and its notices; without a cap a few large ones would push the state it
// hands over at continue-as-new past the engine's 2 MB payload limit and wedge it.
// The engine's validators, the console and the command line check the same cap
// (task.Request.CheckText).
const MaxNoteRunes = 2000

// MaxUserRunes caps the name of the person acting, recorded with each entry.
const MaxUserRunes = 64
