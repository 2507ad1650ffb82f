"""The counsellor's shift and the supervisor's care of the work: handover notes between
shifts, quality reviews of ended conversations with feedback, debrief requests, and the
supervisors' view of how many high-risk contacts each counsellor carried (issue 18)."""
