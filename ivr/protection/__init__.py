"""Counselor protection (산업안전보건법 제41조): the four standard endings, the
call-length limit and what they leave behind. Pure rules; no I/O."""
