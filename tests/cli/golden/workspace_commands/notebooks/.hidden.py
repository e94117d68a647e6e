# Databricks notebook source
print("hidden")
