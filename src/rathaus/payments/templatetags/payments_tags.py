"""Kept for templates that ``{% load payments_tags %}``: ``euro`` is the kernel's builtin filter."""

from django import template

from rathaus.kernel.templatetags.rathaus_format import euro

register = template.Library()
register.filter("euro", euro)
